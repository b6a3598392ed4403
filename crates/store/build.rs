//! Rebuild when a migration file changes: `embed_migrations!` reads them at compile time.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
