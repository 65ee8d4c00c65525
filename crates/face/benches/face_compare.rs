//! Budget: face compare, two images, detect + align + embed < 120 ms (release, 2 cores).
//! Uses two photos of one person from ../shared/faces/london when present,
//! otherwise a generated image (detector work only, no face). The portrait
//! against a ghost image (`face.photo_vs_ghost`) has the same budget: the
//! ghost is made here from the second photo (faded into one tint on cream
//! paper under a grid of green lines, at the 12 px/mm of the document crops).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{DynamicImage, Rgb, RgbImage, imageops};
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

/// A portrait zone crop (32×42 mm) and a ghost image zone crop (16×20.5 mm) at 12 px/mm.
fn portrait_and_ghost(a: &DynamicImage, b: &DynamicImage) -> (RgbImage, RgbImage) {
    let portrait = imageops::resize(&a.to_rgb8(), 384, 504, imageops::FilterType::Triangle);
    let small = imageops::resize(&imageops::grayscale(&b.to_rgb8()), 192, 246, imageops::FilterType::Triangle);
    let ghost = RgbImage::from_fn(192, 246, |x, y| {
        let darkness = 1.0 - f32::from(small.get_pixel(x, y).0[0]) / 255.0;
        let paper = [236.0f32, 232.0, 214.0];
        let ink = [70.0f32, 110.0, 90.0];
        let mut colour: [f32; 3] = std::array::from_fn(|c| paper[c] + (ink[c] - paper[c]) * 0.55 * darkness);
        if x % 14 < 2 || (y + x / 5) % 17 < 2 {
            colour = colour.map(|v| v * 0.7);
            colour[1] *= 1.2;
        }
        Rgb(colour.map(|v| v.clamp(0.0, 255.0) as u8))
    });
    (portrait, ghost)
}

fn ghost_compare(c: &mut Criterion) {
    let engine = match FaceEngine::load_default(None) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("skipping ghost benchmark: {error}");
            return;
        }
    };
    let (a, b) = images();
    let (portrait, ghost) = portrait_and_ghost(&a, &b);
    c.bench_function("face_compare_portrait_with_ghost", |bench| {
        bench.iter(|| engine.compare_with_ghost(&portrait, &ghost).map(|comparison| comparison.score))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = face_compare, ghost_compare
}
criterion_main!(benches);
