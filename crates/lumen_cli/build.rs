//! Links the `lumen` binary as a fixed-address (non-PIE) executable on Linux with GNU tools.
//!
//! A position-independent `lumen` carries about 27,000 dynamic relocations (vtables and string
//! tables of the whole toolchain) that the loader applies on every start, writing ~480 KB of
//! otherwise read-only pages: about 90 page faults and 0.4 M instructions, a fifth of the
//! hello-world start-up time. The trade is address randomisation of the executable image
//! itself (shared libraries, heap and stack stay randomised).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
