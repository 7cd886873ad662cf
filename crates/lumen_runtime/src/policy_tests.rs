use super::*;
use serde_json::json;

fn grant(key: &str, value: Value) -> Grant {
    Grant { key: key.to_owned(), value }
}

fn args(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

fn policy(grants: &[Grant]) -> Policy {
    Policy::merge(grants).expect("grants merge")
}

fn violation(policy: &Policy, path: &str, call: Value) -> Violation {
    policy.check(path, &args(call), 0).expect_err("a violation")
}

#[test]
fn bare_grant_allows_anything() {
    // `grant Fetch` with no constraints reaches the host as an empty list.
    let p = policy(&[]);
    let ok = p.check("http.get", &args(json!({"url": "http://anywhere.test/x"})), 1000).unwrap();
    assert_eq!(ok.args, args(json!({"url": "http://anywhere.test/x"})));
    assert_eq!(ok.timeout, None);
}

#[test]
fn domain_exact_is_case_insensitive_and_ignores_port_path_userinfo() {
    let p = policy(&[grant("domain", json!("API.example.com"))]);
    for url in [
        "https://api.example.com/v1",
        "http://API.Example.COM:8080/x?y",
        "https://user:pw@api.example.com/",
        "https://api.example.com.",
        "https://api.example.com#frag",
    ] {
        assert!(p.check("http.get", &args(json!({ "url": url })), 0).is_ok(), "{url}");
    }
    for url in [
        "https://example.com/",
        "https://api.example.com.evil.test/",
        "https://evil.test/@api.example.com",
        "https://xapi.example.com",
    ] {
        let v = violation(&p, "http.get", json!({ "url": url }));
        assert_eq!(v.key, "domain", "{url}");
        assert!(v.detail.contains("is not granted"), "{url}: {}", v.detail);
    }
}

#[test]
fn domain_userinfo_cannot_smuggle_a_host() {
    let p = policy(&[grant("domain", json!("good.test"))]);
    assert!(p.check("http.get", &args(json!({"url": "http://good.test@evil.test/"})), 0).is_err());
    assert!(p.check("http.get", &args(json!({"url": "http://evil.test\\@good.test/"})), 0).is_err());
}

#[test]
fn domain_wildcards() {
    let p = policy(&[grant("domain", json!("*.example.com"))]);
    for url in ["https://example.com", "https://a.example.com/", "https://a.b.c.example.com:1/"] {
        assert!(p.check("http.get", &args(json!({ "url": url })), 0).is_ok(), "{url}");
    }
    for url in ["https://badexample.com", "https://example.com.evil.test", "https://com"] {
        assert!(p.check("http.get", &args(json!({ "url": url })), 0).is_err(), "{url}");
    }
    let any = policy(&[grant("domain", json!("*"))]);
    assert!(any.check("http.get", &args(json!({"url": "http://[::1]:9/"})), 0).is_ok());
}

#[test]
fn domains_accumulate_across_grants() {
    let p = policy(&[grant("domain", json!("a.test")), grant("domain", json!(["b.test", "*.c.test"]))]);
    for url in ["http://a.test", "http://b.test", "http://x.c.test"] {
        assert!(p.check("http.get", &args(json!({ "url": url })), 0).is_ok(), "{url}");
    }
    assert!(p.check("http.get", &args(json!({"url": "http://d.test"})), 0).is_err());
}

#[test]
fn domain_needs_a_url() {
    let p = policy(&[grant("domain", json!("a.test"))]);
    assert_eq!(violation(&p, "http.get", json!({})).detail, "the call has no url argument");
    assert!(violation(&p, "http.get", json!({"url": 5})).detail.contains("must be a String"));
    assert!(violation(&p, "http.get", json!({"url": "http:///path"})).detail.contains("cannot find a host"));
}

#[test]
fn ipv6_and_ip_hosts() {
    assert_eq!(url_host("http://[::1]:8080/x").as_deref(), Some("::1"));
    assert_eq!(url_host("http://127.0.0.1:5/").as_deref(), Some("127.0.0.1"));
    assert_eq!(url_host("example.com/path").as_deref(), Some("example.com"));
    assert_eq!(url_host("http://"), None);
}

#[test]
fn timeout_is_a_default_and_a_ceiling() {
    let p = policy(&[grant("timeout_ms", json!(2500)), grant("timeout_ms", json!(4000))]);
    assert_eq!(p.timeout_ms, Some(2500));
    let ok = p.check("http.get", &args(json!({})), 0).unwrap();
    assert_eq!(ok.args["timeout_ms"], json!(2500));
    assert_eq!(ok.timeout, Some(Duration::from_millis(2500)));
    let lower = p.check("http.get", &args(json!({"timeout_ms": 100})), 0).unwrap();
    assert_eq!(lower.timeout, Some(Duration::from_millis(100)));
    let v = violation(&p, "http.get", json!({"timeout_ms": 9000}));
    assert_eq!(v.render("F"), "tool policy violation: F: timeout_ms: requested 9000 ms exceeds the granted 2500 ms");
    assert!(violation(&p, "http.get", json!({"timeout_ms": "5s"})).detail.contains("positive Int"));
    assert!(Policy::merge(&[grant("timeout_ms", json!(0))]).is_err());
}

#[test]
fn max_tokens_and_other_upper_bounds() {
    let p = policy(&[grant("max_tokens", json!(200)), grant("max_tokens", json!(500)), grant("max_cost", json!(0.5))]);
    let ok = p.check("llm.chat", &args(json!({"prompt": "hi"})), 0).unwrap();
    assert_eq!(ok.args["max_tokens"], json!(200));
    assert_eq!(ok.args["max_cost"], json!(0.5));
    assert!(p.check("llm.chat", &args(json!({"max_tokens": 200, "max_cost": 0.25})), 0).is_ok());
    let v = violation(&p, "llm.chat", json!({"max_tokens": 201}));
    assert_eq!((v.key.as_str(), v.detail.as_str()), ("max_tokens", "201 exceeds the granted maximum 200"));
    assert_eq!(violation(&p, "llm.chat", json!({"max_cost": 0.75})).key, "max_cost");
    assert!(violation(&p, "llm.chat", json!({"max_tokens": "many"})).detail.contains("expected a number"));
}

#[test]
fn lower_bounds_take_the_largest_and_fill_nothing() {
    let p = policy(&[grant("min_score", json!(2)), grant("min_score", json!(3))]);
    assert!(p.check("search.q", &args(json!({"min_score": 3})), 0).is_ok());
    let v = violation(&p, "search.q", json!({"min_score": 2.5}));
    assert_eq!(v.detail, "2.5 is below the granted minimum 3");
    let absent = p.check("search.q", &args(json!({})), 0).unwrap();
    assert!(!absent.args.contains_key("min_score"));
}

#[test]
fn max_calls_counts_per_run() {
    let p = policy(&[grant("max_calls", json!(2))]);
    assert!(p.check("http.get", &args(json!({})), 0).is_ok());
    assert!(p.check("http.get", &args(json!({})), 1).is_ok());
    let v = violation_at(&p, 2);
    assert_eq!(v.render("F"), "tool policy violation: F: max_calls: limit of 2 call(s) per run reached");
    assert!(!p.check("http.get", &args(json!({})), 0).unwrap().args.contains_key("max_calls"));
}

fn violation_at(p: &Policy, calls: u64) -> Violation {
    p.check("http.get", &args(json!({})), calls).unwrap_err()
}

#[test]
fn max_retries_is_a_limit_not_an_argument() {
    let p = policy(&[grant("max_retries", json!(3)), grant("max_retries", json!(1))]);
    let ok = p.check("llm.chat", &args(json!({})), 0).unwrap();
    assert_eq!(ok.max_retries, Some(1));
    assert!(!ok.args.contains_key("max_retries"));
}

#[test]
fn methods_default_from_the_tool_path() {
    let p = policy(&[grant("methods", json!(["get", "POST"]))]);
    assert!(p.check("http.get", &args(json!({})), 0).is_ok());
    assert!(p.check("http.post", &args(json!({})), 0).is_ok());
    assert!(p.check("http.request", &args(json!({"method": "post"})), 0).is_ok());
    let v = violation(&p, "http.delete", json!({}));
    assert_eq!(v.render("H"), "tool policy violation: H: methods: method DELETE is not granted (granted: GET, POST)");
    assert_eq!(violation(&p, "http.request", json!({"method": "PUT"})).key, "methods");
    assert!(violation(&p, "other.tool", json!({})).detail.contains("no method"));
}

#[test]
fn path_prefix_normalizes_dots() {
    let p = policy(&[grant("path_prefix", json!("./data"))]);
    for path in ["data", "data/a.txt", "./data/x/../y.txt", "data/./b", "x/../data/c"] {
        assert!(p.check("fs.read", &args(json!({ "path": path })), 0).is_ok(), "{path}");
    }
    for path in ["database/a", "data/../secret", "../data/a", "/data/a", "data/../../data/a", "."] {
        let v = violation(&p, "fs.read", json!({ "path": path }));
        assert_eq!(v.key, "path_prefix", "{path}");
        assert!(v.detail.contains("outside the granted prefixes"), "{path}: {}", v.detail);
    }
    assert_eq!(violation(&p, "fs.read", json!({})).detail, "the call has no path argument");
}

#[test]
fn path_prefix_lists_and_absolute_prefixes() {
    let p = policy(&[grant("path_prefix", json!(["/tmp/a/", "out"]))]);
    assert!(p.check("fs.write", &args(json!({"path": "/tmp/a/b/../c"})), 0).is_ok());
    assert!(p.check("fs.write", &args(json!({"path": "out/x"})), 0).is_ok());
    assert!(p.check("fs.write", &args(json!({"path": "/tmp/ab"})), 0).is_err());
    assert!(p.check("fs.write", &args(json!({"path": "/tmp/a/../../etc/passwd"})), 0).is_err());
    let dot = policy(&[grant("path_prefix", json!("."))]);
    assert!(dot.check("fs.read", &args(json!({"path": "a/b"})), 0).is_ok());
    assert!(dot.check("fs.read", &args(json!({"path": "a/../../b"})), 0).is_err());
}

#[test]
fn normalization() {
    assert_eq!(normalize_path("./a/./b/../c/"), "a/c");
    assert_eq!(normalize_path("../../a"), "../../a");
    assert_eq!(normalize_path("/../a"), "/a");
    assert_eq!(normalize_path("a/.."), ".");
    assert_eq!(normalize_path("//x//y"), "/x/y");
}

#[test]
fn exact_keys_fill_defaults_and_must_match() {
    let p =
        policy(&[grant("model", json!("small-1")), grant("temperature", json!(0.5)), grant("model", json!("small-1"))]);
    let ok = p.check("llm.chat", &args(json!({"prompt": "x"})), 0).unwrap();
    assert_eq!(ok.args["model"], json!("small-1"));
    assert_eq!(ok.args["temperature"], json!(0.5));
    let v = violation(&p, "llm.chat", json!({"model": "big-9"}));
    assert_eq!(v.render("C"), "tool policy violation: C: model: \"big-9\" is not the granted value \"small-1\"");
    let ints = policy(&[grant("seed", json!(1))]);
    assert!(ints.check("llm.chat", &args(json!({"seed": 1.0})), 0).is_ok());
}

#[test]
fn conflicting_exact_grants_are_reported() {
    let err = Policy::merge(&[grant("model", json!("a")), grant("model", json!("b"))]).unwrap_err();
    assert_eq!(err.key, "model");
    assert_eq!(err.detail, "conflicting grants: \"a\" and \"b\"");
}

#[test]
fn effect_keys_are_not_arguments() {
    let p = policy(&[grant("effect", json!("net")), grant("effects", json!(["net", "llm"]))]);
    assert!(p.check("llm.chat", &args(json!({})), 0).unwrap().args.is_empty());
}

#[test]
fn policy_hash_depends_on_the_grants() {
    let a = policy(&[grant("domain", json!("a.test"))]);
    let b = policy(&[grant("domain", json!("b.test"))]);
    assert_eq!(a.hash.len(), 64);
    assert_ne!(a.hash, b.hash);
    assert_eq!(a.hash, policy(&[grant("domain", json!("a.test"))]).hash);
}

#[test]
fn bad_grant_values_are_reported() {
    assert_eq!(Policy::merge(&[grant("domain", json!(3))]).unwrap_err().key, "domain");
    assert_eq!(Policy::merge(&[grant("max_calls", json!(-1))]).unwrap_err().key, "max_calls");
    assert_eq!(Policy::merge(&[grant("max_tokens", json!("x"))]).unwrap_err().key, "max_tokens");
}
