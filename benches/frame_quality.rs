//! Issue 30's preview budget: measuring one live frame (sharpness, glare, stillness
//! against the previous frame, page outline) must fit in one frame time at 30 frames a
//! second, 33 ms, so the pump keeps up with a 720p camera. Frames are a fixture page
//! laid on a table as `write_camera_like_sequence` draws it, at 1280×720, measured
//! alternately so stillness always compares two frames. The two frames differ (one
//! sliding and blurred, one still), so every frame looks for the page outline again:
//! the worst case, a page moving under the camera, is what the budget holds.
//! `frame_quality_1280x720_still` measures the same still frame again and again, the
//! outline taken over from the frame it was found on (a page lying still).

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify::capture::frame_quality::FrameAnalyser;
use tdverify::capture::live::write_camera_like_sequence;
use tdverify::core::Light;

fn frame_quality(c: &mut Criterion) {
    let fixtures = tdverify::resources::Resources::discover().fixtures;
    let (white, _) = tdverify::samples::first_sample(&fixtures)
        .and_then(|sample| sample.images.into_iter().find(|(_, light)| *light == Light::White))
        .expect("fixture documents (cargo xtask setup generates them into out/fixtures)");
    let page = tdverify::capture::decode_file(&white).expect("the fixture page decodes").into_rgb8();
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = write_camera_like_sequence(&page, dir.path(), 1, 1).expect("frames");
    let frames: Vec<image::RgbImage> =
        paths.iter().map(|p| tdverify::capture::decode_file(p).expect("a frame").into_rgb8()).collect();
    let mut analyser = FrameAnalyser::new();
    let mut next = 0;
    let mut group = c.benchmark_group("capture");
    group.bench_function("frame_quality_1280x720", |b| {
        b.iter(|| {
            next = (next + 1) % frames.len();
            std::hint::black_box(analyser.analyse(&frames[next]))
        })
    });
    let mut still_analyser = FrameAnalyser::new();
    let still_frame = frames.last().expect("the sequence ends on a still frame");
    group.bench_function("frame_quality_1280x720_still", |b| {
        b.iter(|| std::hint::black_box(still_analyser.analyse(still_frame)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = frame_quality
}
criterion_main!(benches);
