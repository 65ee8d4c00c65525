//! Writes the seed corpora: `cargo run -p tdverify-fuzz --bin seeds [-- DIR]`
//! (default `fuzz/corpus`).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let corpus = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let count = tdverify_fuzz::seeds::write_all(&corpus)?;
    println!("{count} seeds written under {}", corpus.display());
    Ok(())
}
