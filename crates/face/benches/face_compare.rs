//! Budget: face compare, two images, detect + align + embed < 120 ms (release, 2 cores).
//! Uses two photos of one person from ../shared/faces/london when present,
//! otherwise a generated image (detector work only, no face).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{DynamicImage, Rgb, RgbImage};
use tdverify_face::{FaceEngine, load_image};

fn images() -> (DynamicImage, DynamicImage) {
    let dir = std::env::var_os("TDVERIFY_FACES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/faces/london")
        });
    match (
        load_image(&dir.join("002_neutral.jpg")),
        load_image(&dir.join("002_smiling.jpg")),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            eprintln!(
                "face set not found in {}: benchmarking a generated image",
                dir.display()
            );
            let generated = DynamicImage::ImageRgb8(RgbImage::from_fn(600, 600, |x, y| {
                Rgb([(x % 255) as u8, (y % 255) as u8, 90])
            }));
            (generated.clone(), generated)
        }
    }
}

fn face_compare(c: &mut Criterion) {
    let engine = match FaceEngine::load_default(None) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("skipping face benchmark: {error}");
            return;
        }
    };
    let (a, b) = images();
    c.bench_function("face_compare_two_images_600px", |bench| {
        bench.iter(|| engine.compare(&a, &b).map(|comparison| comparison.score))
    });
    c.bench_function("face_analyse_one_image_600px", |bench| {
        bench.iter(|| engine.analyse(&a).map(|analysis| analysis.face))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = face_compare
}
criterion_main!(benches);
