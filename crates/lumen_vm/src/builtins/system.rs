//! Time, randomness, environment, files and stdin (LANGUAGE.md 6.13). Everything goes through the
//! `Host`, so runs can be recorded and replayed; `exit` and `sleep` are handled by the VM.

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx, Effect};
use crate::value::Value;

const fn def(
    names: &'static [&'static str],
    func: super::BuiltinFn,
    min: u8,
    max: u8,
    effect: Option<Effect>,
) -> BuiltinDef {
    BuiltinDef { names, func, min_args: min, max_args: Some(max), effect }
}

pub(super) const DEFS: &[BuiltinDef] = &[
    def(&["timestamp"], timestamp, 0, 0, Some(Effect::Time)),
    def(&["timestamp_ms"], timestamp_ms, 0, 0, Some(Effect::Time)),
    def(&["hrtime"], hrtime, 0, 0, Some(Effect::Time)),
    def(&["format_time"], format_time, 1, 2, None),
    def(&["uuid", "uuid_v4"], uuid, 0, 0, Some(Effect::Random)),
    def(&["get_env"], get_env, 1, 1, Some(Effect::Env)),
    def(&["args"], args, 0, 0, Some(Effect::Env)),
    def(&["read_file"], read_file, 1, 1, Some(Effect::Fs)),
    def(&["read_lines"], read_lines, 1, 1, Some(Effect::Fs)),
    def(&["write_file"], write_file, 2, 2, Some(Effect::Fs)),
    def(&["append_file"], append_file, 2, 2, Some(Effect::Fs)),
    def(&["exists"], exists, 1, 1, Some(Effect::Fs)),
    def(&["read_dir"], read_dir, 1, 1, Some(Effect::Fs)),
    def(&["mkdir"], mkdir, 1, 1, Some(Effect::Fs)),
    def(&["read_line"], read_line, 0, 0, Some(Effect::Fs)),
    def(&["read_stdin"], read_stdin, 0, 0, Some(Effect::Fs)),
];

fn text<'v>(name: &str, v: &'v Value) -> Result<&'v str, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(super::type_error(name, "String", other)),
    }
}

fn io_error(path: &str, err: std::io::Error) -> BuiltinError {
    BuiltinError::new(format!("io error: {path}: {err}"))
}

fn timestamp(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(Value::Float(ctx.host.now()))
}

fn timestamp_ms(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(Value::Int((ctx.host.now() * 1000.0) as i64))
}

fn hrtime(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(Value::Int(ctx.host.hrtime()))
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn format_time(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let seconds = match &args[0] {
        Value::Int(i) => *i as f64,
        Value::Float(f) if f.is_finite() => *f,
        other => return Err(super::type_error("format_time", "a finite number of seconds", other)),
    };
    let fmt = match args.get(1) {
        Some(v) => text("format_time", v)?,
        None => "%Y-%m-%dT%H:%M:%SZ",
    };
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round().min(999_999.0) as u32;
    let total = whole as i64;
    let days = total.div_euclid(86_400);
    let secs = total.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let day_of_year = days - days_from_civil(year, 1, 1) + 1;
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&format!("{year:04}")),
            Some('m') => out.push_str(&format!("{month:02}")),
            Some('d') => out.push_str(&format!("{day:02}")),
            Some('H') => out.push_str(&format!("{:02}", secs / 3600)),
            Some('M') => out.push_str(&format!("{:02}", secs % 3600 / 60)),
            Some('S') => out.push_str(&format!("{:02}", secs % 60)),
            Some('f') => out.push_str(&format!("{micros:06}")),
            Some('j') => out.push_str(&format!("{day_of_year:03}")),
            Some('a') => out.push_str(WEEKDAYS[days.rem_euclid(7) as usize]),
            Some('b') => out.push_str(MONTHS[(month - 1) as usize]),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    Ok(Value::string(out))
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn uuid(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&ctx.host.random_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&ctx.host.random_u64().to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Value::string(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])))
}

fn get_env(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(ctx.host.get_env(text("get_env", &args[0])?).map_or(Value::Null, Value::string))
}

fn args(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(Value::list(ctx.host.args().into_iter().map(Value::string).collect()))
}

fn read_file(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("read_file", &args[0])?;
    ctx.host.read_file(path).map(Value::string).map_err(|e| io_error(path, e))
}

fn read_lines(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("read_lines", &args[0])?;
    let content = ctx.host.read_file(path).map_err(|e| io_error(path, e))?;
    Ok(Value::list(content.lines().map(Value::str).collect()))
}

fn content_bytes(name: &str, v: &Value) -> Result<Vec<u8>, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s.as_bytes().to_vec()),
        Value::Bytes(b) => Ok(b.to_vec()),
        other => Err(super::type_error(name, "String or Bytes", other)),
    }
}

fn write_file(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("write_file", &args[0])?;
    let content = content_bytes("write_file", &args[1])?;
    ctx.host.write_file(path, &content).map(|_| Value::Null).map_err(|e| io_error(path, e))
}

fn append_file(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("append_file", &args[0])?;
    let content = content_bytes("append_file", &args[1])?;
    ctx.host.append_file(path, &content).map(|_| Value::Null).map_err(|e| io_error(path, e))
}

fn exists(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(ctx.host.exists(text("exists", &args[0])?)))
}

fn read_dir(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("read_dir", &args[0])?;
    let names = ctx.host.read_dir(path).map_err(|e| io_error(path, e))?;
    Ok(Value::list(names.into_iter().map(Value::string).collect()))
}

fn mkdir(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let path = text("mkdir", &args[0])?;
    ctx.host.mkdir(path).map(|_| Value::Null).map_err(|e| io_error(path, e))
}

fn read_line(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(ctx.host.read_line().map_or(Value::Null, Value::string))
}

fn read_stdin(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    Ok(Value::string(ctx.host.read_stdin()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::TestHost;

    fn call(f: super::super::BuiltinFn, host: &mut TestHost, args: &[Value]) -> BuiltinResult {
        f(&mut Ctx { host }, args)
    }

    #[test]
    fn format_time_fields() {
        let mut host = TestHost::default();
        let t = Value::Float(1_700_000_000.25);
        assert_eq!(call(format_time, &mut host, std::slice::from_ref(&t)), Ok(Value::str("2023-11-14T22:13:20Z")));
        let fmt = Value::str("%a %b %d %j %f");
        assert_eq!(call(format_time, &mut host, &[t, fmt]), Ok(Value::str("Tue Nov 14 318 250000")));
        assert_eq!(call(format_time, &mut host, &[Value::Int(0)]), Ok(Value::str("1970-01-01T00:00:00Z")));
    }

    #[test]
    fn uuid_is_version_4() {
        let mut host = TestHost { rng: 7, ..TestHost::default() };
        let Ok(Value::Str(u)) = call(uuid, &mut host, &[]) else { panic!("uuid") };
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn host_backed_builtins() {
        let mut host = TestHost { args: vec!["a".into()], clock: 2.5, ..TestHost::default() };
        assert_eq!(call(args, &mut host, &[]), Ok(Value::list(vec![Value::str("a")])));
        assert_eq!(call(timestamp_ms, &mut host, &[]), Ok(Value::Int(2500)));
        assert_eq!(call(get_env, &mut host, &[Value::str("HOME")]), Ok(Value::Null));
        let err = call(read_file, &mut host, &[Value::str("x.txt")]).unwrap_err();
        assert!(err.0.starts_with("io error: x.txt:"), "{}", err.0);
        assert_eq!(call(read_line, &mut host, &[]), Ok(Value::Null));
    }
}
