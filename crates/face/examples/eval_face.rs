//! Same as `cargo xtask eval-face DIR [--limit N] [--json]`, runnable before the xtask is wired:
//! `cargo run --release -p tdverify-face --example eval_face -- ../shared/faces/london`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut limit = None;
    let mut json = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--limit" => limit = iter.next().and_then(|n| n.parse().ok()),
            "--json" => json = true,
            other => dir = Some(std::path::PathBuf::from(other)),
        }
    }
    let dir = dir.ok_or("usage: eval_face DIR [--limit N] [--json]")?;
    let engine = tdverify_face::FaceEngine::load_default(None)?;
    let report = tdverify_face::eval::evaluate(&engine, &dir, limit)?;
    if json {
        println!("{}", tdverify_face::eval::render_json(&report));
    } else {
        print!("{}", tdverify_face::eval::render_text(&report));
    }
    Ok(())
}
