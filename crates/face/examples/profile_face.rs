//! Times the stages of one comparison under a few detector settings:
//! `cargo run --release -p tdverify-face --example profile_face -- A.jpg B.jpg`

use std::time::Instant;

use tdverify_face::{EngineConfig, FaceEngine, load_image};
use tdverify_runtime as runtime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
        return Err("usage: profile_face A B".into());
    };
    let (a, b) = (load_image(a.as_ref())?, load_image(b.as_ref())?);
    let rt = runtime::init_onnxruntime(runtime::default_library_path())?;
    for threads in [1, 2] {
        for (max_side, fraction) in [
            (640, 0.1),
            (480, 0.1),
            (480, 0.15),
            (400, 0.15),
            (320, 0.15),
        ] {
            let mut config = EngineConfig {
                threads,
                ..EngineConfig::default()
            };
            config.detector.max_side = max_side;
            config.detector.min_face_fraction = fraction;
            let engine = FaceEngine::load(&rt, config)?;
            let _ = engine.compare(&a, &b)?;
            let runs = 10;
            let (mut detect_ms, mut total_ms, mut score) = (0.0, 0.0, 0.0);
            for _ in 0..runs {
                let started = Instant::now();
                let _ = engine.detect(&a)?;
                detect_ms += started.elapsed().as_secs_f64() * 1000.0;
                let started = Instant::now();
                score = engine.compare(&a, &b)?.score.unwrap_or(f32::NAN);
                total_ms += started.elapsed().as_secs_f64() * 1000.0;
            }
            println!(
                "threads {threads} max_side {max_side} min_face {fraction}: detect {:.1} ms, compare {:.1} ms, score {score:.3}",
                detect_ms / runs as f64,
                total_ms / runs as f64
            );
        }
    }
    Ok(())
}
