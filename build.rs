// The web pages are embedded in the binary (rust-embed). Rebuild when any
// file under web/ changes, is added or is removed, not only when Rust does.
fn main() {
    println!("cargo:rerun-if-changed=web");
}
