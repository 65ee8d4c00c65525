//! Zoom and pan shared by all the image panels of a screen, so the same spot of
//! the document stays under the cursor in white, UV and IR side by side.

use eframe::egui::{self, Color32, Rect, Sense, Vec2, pos2};

/// Largest zoom factor relative to "fit".
pub const MAX_ZOOM: f32 = 32.0;

/// The shared view: zoom relative to fitting the panel, and the image point
/// (in 0..1 image coordinates) shown at the panel centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageView {
    /// 1.0 fits the whole image in its panel.
    pub zoom: f32,
    /// Image point (0..1) at the panel centre.
    pub center: Vec2,
}

impl Default for ImageView {
    fn default() -> ImageView {
        ImageView { zoom: 1.0, center: Vec2::splat(0.5) }
    }
}

impl ImageView {
    /// Back to the whole image.
    pub fn reset(&mut self) {
        *self = ImageView::default();
    }

    /// Zooms by `factor` keeping image point `anchor` (0..1) fixed on screen.
    pub fn zoom_about(&mut self, factor: f32, anchor: Vec2) {
        let new_zoom = (self.zoom * factor).clamp(1.0, MAX_ZOOM);
        let applied = new_zoom / self.zoom;
        self.center = anchor + (self.center - anchor) / applied;
        self.zoom = new_zoom;
        self.clamp();
    }

    fn clamp(&mut self) {
        self.center = self.center.clamp(Vec2::ZERO, Vec2::splat(1.0));
        if self.zoom <= 1.0 {
            self.center = Vec2::splat(0.5);
        }
    }

    /// Where the image is drawn in `panel` for an image of `size` pixels.
    pub fn image_rect(&self, panel: Rect, size: Vec2) -> Rect {
        let fit = (panel.width() / size.x).min(panel.height() / size.y).max(1e-6);
        let shown = size * fit * self.zoom;
        let top_left = panel.center() - Vec2::new(self.center.x * shown.x, self.center.y * shown.y);
        Rect::from_min_size(top_left, shown)
    }
}

/// Draws `texture` in the available space with the shared `view`; wheel zooms
/// at the cursor, dragging pans, double-click fits. Returns the image rect on
/// screen (for overlays) and the response.
pub fn show_image(
    ui: &mut egui::Ui,
    texture: &egui::TextureHandle,
    view: &mut ImageView,
    label: &str,
) -> (Rect, egui::Response) {
    let size = ui.available_size().max(Vec2::splat(40.0));
    let (panel, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let response = response.on_hover_text(label.to_owned());
    let image_size = texture.size_vec2();
    if response.double_clicked() {
        view.reset();
    }
    if response.dragged() && view.zoom > 1.0 {
        let shown = view.image_rect(panel, image_size).size();
        view.center -= response.drag_delta() / shown;
        view.clamp();
    }
    if let Some(pointer) = response.hover_pos() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            let rect = view.image_rect(panel, image_size);
            let anchor = ((pointer - rect.min) / rect.size()).clamp(Vec2::ZERO, Vec2::splat(1.0));
            view.zoom_about((scroll / 200.0).exp(), anchor);
        }
    }
    let painter = ui.painter_at(panel);
    painter.rect_filled(panel, 2.0, ui.visuals().extreme_bg_color);
    let rect = view.image_rect(panel, image_size);
    painter.image(texture.id(), rect, Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)), Color32::WHITE);
    (rect, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_centres_the_image() {
        let view = ImageView::default();
        let panel = Rect::from_min_size(pos2(0.0, 0.0), Vec2::new(200.0, 100.0));
        let rect = view.image_rect(panel, Vec2::new(100.0, 100.0));
        assert_eq!(rect, Rect::from_min_size(pos2(50.0, 0.0), Vec2::new(100.0, 100.0)));
    }

    #[test]
    fn zoom_keeps_the_anchor_in_place() {
        let panel = Rect::from_min_size(pos2(0.0, 0.0), Vec2::new(100.0, 100.0));
        let mut view = ImageView::default();
        let anchor = Vec2::new(0.25, 0.75);
        let before = view.image_rect(panel, Vec2::splat(100.0));
        let screen_before = before.min + anchor * before.size();
        view.zoom_about(4.0, anchor);
        let after = view.image_rect(panel, Vec2::splat(100.0));
        let screen_after = after.min + anchor * after.size();
        assert!((screen_before - screen_after).length() < 1e-3);
        view.zoom_about(1000.0, anchor);
        assert_eq!(view.zoom, MAX_ZOOM);
        view.zoom_about(0.0001, anchor);
        assert_eq!(view, ImageView::default());
    }
}

/// An image as egui pixels, scaled down to at most `max_side` on its longer side (GPU
/// texture limits, memory); smaller images are kept as they are.
pub fn color_image(image: &image::DynamicImage, max_side: u32) -> egui::ColorImage {
    let scaled;
    let image = if image.width().max(image.height()) > max_side {
        scaled = image.thumbnail(max_side, max_side);
        &scaled
    } else {
        image
    };
    let rgba = image.to_rgba8();
    egui::ColorImage::from_rgba_unmultiplied([rgba.width() as usize, rgba.height() as usize], rgba.as_raw())
}
