use eframe::egui::{self, Color32, RichText};
use tdverify_core::Check;

use crate::i18n::Translator;
use crate::inspect::MrzHandFix;
use crate::inspect::mrz_review::{self, Doubt, ReadingState, ReadingView, UprightCrop};
use crate::mrz::{self, Mrz, MrzDate};
use crate::ui::widgets::checks::{show_checks, status_style, summary};

/// Character boxes read with confidence (outline only).
const SURE: Color32 = Color32::from_rgb(0x4a, 0x8a, 0xc0);
/// Below [`mrz_review::DOUBTFUL_BELOW`].
const DOUBTFUL: Color32 = Color32::from_rgb(0xe6, 0x9b, 0x00);
/// Below [`mrz_review::LOW_BELOW`].
const LOW: Color32 = Color32::from_rgb(0xd9, 0x2b, 0x2b);
/// A character the reader's decoder corrected.
const DECODER: Color32 = Color32::from_rgb(0x8e, 0x44, 0xad);
/// A character the officer corrected.
const BY_HAND: Color32 = Color32::from_rgb(0x1e, 0x90, 0x4a);
/// The selected character.
const SELECTED: Color32 = Color32::from_rgb(0x1f, 0x4e, 0xd8);

/// The MRZ panel of the document screen: the lines (typed, pasted or read from
/// an image), the fields, and every check with its status. When the lines were
/// read from an image, the MRZ crop with every character box, the reader's
/// corrections, and the officer's own fixes character by character.
#[derive(Default)]
pub struct MrzPanel {
    /// The MRZ text being edited.
    pub text: String,
    parsed_text: Option<String>,
    /// The outcome of the last parse: the MRZ and its checks, or why it is not an MRZ.
    pub outcome: Option<Result<(Mrz, Vec<Check>), String>>,
    selected: Option<usize>,
    review: Option<Review>,
    /// The text against the reading, when it lines up with it (see [`mrz_review::diff_lines`]).
    hand_fixes: Option<Vec<MrzHandFix>>,
}

/// A reading shown for review.
struct Review {
    reading: ReadingView,
    /// The upright crop, or why there is none.
    crop: Result<UprightCrop, &'static str>,
    texture: Option<egui::TextureHandle>,
    /// The character the officer is looking at (line, column).
    selected: Option<(usize, usize)>,
    /// The one-character entry.
    entry: String,
    /// Frames left to keep the panel scrolled into view (a reading that needs the
    /// officer; a few frames, while the panels above settle).
    scroll_frames: u8,
    /// Where the heading was in the panel when last scrolled to.
    scrolled_at: Option<f32>,
}

impl MrzPanel {
    /// Replaces the text (e.g. from OCR) and parses it.
    pub fn set_text(&mut self, text: String, inspection_date: MrzDate) {
        self.text = text;
        self.reparse(inspection_date);
    }

    /// Shows `reading` (the reading JSON of an inspection) with the MRZ cut from
    /// `image` (the capture it was read from, when still open), and puts `text`
    /// (the reading with the officer's fixes) in the text box.
    pub fn show_reading(&mut self, reading: &serde_json::Value, image: Option<&image::DynamicImage>, text: String, inspection_date: MrzDate) {
        let reading = ReadingView::from_json(reading);
        let crop = match image {
            None => Err("mrz-crop-no-image"),
            Some(image) => mrz_review::upright_crop(image, &reading).ok_or("mrz-crop-none"),
        };
        // A reading the officer must look at is brought into view.
        let needs_officer = matches!(reading.state, ReadingState::LowConfidence | ReadingState::Unreadable) || reading.doubt_counts().1 > 0;
        let scroll_frames = if needs_officer { 10 } else { 0 };
        self.review = Some(Review { reading, crop, texture: None, selected: None, entry: String::new(), scroll_frames, scrolled_at: None });
        self.parsed_text = None;
        if !text.trim().is_empty() {
            self.text = text;
        }
        self.reparse(inspection_date);
    }

    /// Forgets the reading (other images: maybe another document). Text the officer
    /// left as read goes too, so the next inspection reads the new images; text they
    /// changed stays, and is used as typed.
    pub fn clear_reading(&mut self) {
        if self.review.take().is_some() && self.hand_fixes.as_ref().is_some_and(Vec::is_empty) {
            self.text.clear();
        }
        self.hand_fixes = None;
    }

    /// The characters the officer changed against the reading; `None` when there is no
    /// reading or the text no longer lines up with it (then it is a typed MRZ).
    pub fn hand_fixes(&self) -> Option<&[MrzHandFix]> {
        self.hand_fixes.as_deref()
    }

    /// The character selected in the crop or the grid (line, column; 0-based).
    pub fn selected_character(&self) -> Option<(usize, usize)> {
        self.review.as_ref().and_then(|r| r.selected)
    }

    /// What the next inspection gets from this panel: a typed MRZ, or the hand fixes
    /// of the reading (the image is read again and they are applied), or neither.
    pub fn inspection_input(&self) -> (Option<String>, Vec<MrzHandFix>) {
        if self.text.trim().is_empty() {
            return (None, Vec::new());
        }
        match (&self.review, &self.hand_fixes) {
            (Some(_), Some(fixes)) => (None, fixes.clone()),
            _ => (Some(self.text.clone()), Vec::new()),
        }
    }

    fn reparse(&mut self, inspection_date: MrzDate) {
        if self.parsed_text.as_deref() == Some(self.text.as_str()) {
            return;
        }
        self.parsed_text = Some(self.text.clone());
        self.selected = None;
        self.hand_fixes = self.review.as_ref().and_then(|r| mrz_review::diff_lines(&r.reading.lines, &self.text));
        self.outcome = if self.text.trim().is_empty() {
            None
        } else {
            Some(mrz::parse(&self.text).map(|m| {
                let checks = mrz::checks(&m, inspection_date);
                (m, checks)
            }).map_err(|e| e.to_string()))
        };
    }

    /// Puts `to` at `line`, `column` of the text and parses it again.
    fn change_character(&mut self, line: usize, column: usize, to: char, inspection_date: MrzDate) {
        if let Some(text) = mrz_review::set_char(&self.text, line, column, to) {
            self.text = text;
            self.reparse(inspection_date);
        }
    }

    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, inspection_date: MrzDate) {
        let heading = ui.heading(tr.tr("mrz-title"));
        // Brought into view, again while the panels above still change height, then left alone.
        let offset = heading.rect.top() - ui.min_rect().top();
        if let Some(review) = self.review.as_mut()
            && review.scroll_frames > 0
        {
            if review.scrolled_at.is_some_and(|at| (at - offset).abs() < 0.5) {
                review.scroll_frames = 0;
            } else {
                review.scroll_frames -= 1;
                review.scrolled_at = Some(offset);
                ui.scroll_to_rect_animation(heading.rect, Some(egui::Align::TOP), egui::style::ScrollAnimation::none());
            }
        }
        if let Some((line, column, to)) = self.show_review(ui, tr) {
            self.change_character(line, column, to, inspection_date);
        }
        let label = ui.label(tr.tr("mrz-enter"));
        ui.add(
            egui::TextEdit::multiline(&mut self.text)
                .font(egui::TextStyle::Monospace)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"),
        )
        .labelled_by(label.id);
        self.reparse(inspection_date);
        match &self.outcome {
            None => {
                ui.label(RichText::new(tr.tr("mrz-none")).weak());
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            Some(Ok((parsed, checks))) => {
                let verdict = if parsed.is_valid() { tr.tr("mrz-valid") } else { tr.tr("mrz-invalid") };
                let color = if parsed.is_valid() { egui::Color32::from_rgb(0x2e, 0x9d, 0x4f) } else { ui.visuals().error_fg_color };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(parsed.format.label()).strong());
                    ui.colored_label(color, RichText::new(verdict).strong());
                });
                ui.label(summary(checks, tr));
                egui::Grid::new("mrz-fields").num_columns(2).striped(true).show(ui, |ui| {
                    let birth = parsed.birth_date.and_then(|d| d.resolve_birth(&inspection_date)).and_then(|d| d.to_iso());
                    let expiry = parsed.expiry_date.and_then(|d| d.resolve_expiry(&inspection_date)).and_then(|d| d.to_iso());
                    let rows: [(&str, String); 9] = [
                        ("mrz-field-document-code", parsed.document_code.clone()),
                        ("mrz-field-issuing-state", parsed.issuing_state.clone()),
                        ("mrz-field-document-number", parsed.document_number.clone()),
                        ("mrz-field-surname", parsed.surname.clone()),
                        ("mrz-field-given-names", parsed.given_names.clone()),
                        ("mrz-field-nationality", parsed.nationality.clone()),
                        ("mrz-field-birth-date", birth.unwrap_or_else(|| "—".to_owned())),
                        ("mrz-field-sex", parsed.sex.map(|s| s.contract_value().to_owned()).unwrap_or_else(|| "—".to_owned())),
                        ("mrz-field-expiry-date", expiry.unwrap_or_else(|| "—".to_owned())),
                    ];
                    for (label, value) in rows {
                        ui.label(tr.tr(label));
                        ui.label(RichText::new(value).monospace());
                        ui.end_row();
                    }
                });
                ui.separator();
                egui::ScrollArea::vertical().id_salt("mrz-checks").show(ui, |ui| {
                    if let Some(clicked) = show_checks(ui, checks, tr, self.selected) {
                        self.selected = Some(clicked);
                    }
                });
            }
        }
    }

    /// The reading under review: status, crop, grid, the selected character's
    /// candidates, the reader's corrections and the officer's fixes. Returns the
    /// character the officer chose (line, column, character).
    fn show_review(&mut self, ui: &mut egui::Ui, tr: &Translator) -> Option<(usize, usize, char)> {
        let review = self.review.as_mut()?;
        let lines_up = self.hand_fixes.is_some();
        let current: Vec<Vec<char>> = mrz_review::mrz_lines(&self.text).iter().map(|l| l.chars().collect()).collect();
        let fixed_at = |line: usize, column: usize| self.hand_fixes.as_ref().is_some_and(|f| f.iter().any(|x| x.line == line && x.column == column));
        let mut chosen = None;

        let (state_text, state_color) = match review.reading.state {
            ReadingState::Valid => ("mrz-reading-valid", Color32::from_rgb(0x2e, 0x9d, 0x4f)),
            ReadingState::Invalid => ("mrz-reading-invalid", ui.visuals().error_fg_color),
            ReadingState::LowConfidence => ("mrz-reading-low-confidence", status_style(tdverify_core::CheckStatus::Warn, ui.visuals()).0),
            ReadingState::Unreadable => ("mrz-reading-unreadable", ui.visuals().error_fg_color),
            ReadingState::Unknown => ("mrz-reading-unknown", ui.visuals().weak_text_color()),
        };
        ui.label(RichText::new(tr.tr(state_text)).color(state_color).strong());
        let (doubtful, low) = review.reading.doubt_counts();
        if doubtful + low > 0 {
            ui.label(tr.tr_args("mrz-doubt-counts", &[("doubtful", doubtful.to_string()), ("low", low.to_string())]));
        }

        // The crop, every character box on it; a click selects the character under it.
        match &review.crop {
            Ok(crop) => {
                let texture = review.texture.get_or_insert_with(|| {
                    let size = [crop.image.width() as usize, crop.image.height() as usize];
                    ui.ctx().load_texture("mrz-crop", egui::ColorImage::from_rgba_unmultiplied(size, crop.image.as_raw()), egui::TextureOptions::LINEAR)
                });
                let width = ui.available_width().max(1.0);
                let scale = width / crop.image.width().max(1) as f32;
                let size = egui::vec2(width, crop.image.height() as f32 * scale);
                let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
                let response = response.on_hover_cursor(egui::CursorIcon::PointingHand);
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, tr.tr("mrz-crop-label")));
                let painter = ui.painter_at(rect);
                painter.image(texture.id(), rect, egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)), Color32::WHITE);
                let to_screen = |b: &tdverify_core::Rect| egui::Rect::from_min_size(rect.min + egui::vec2(b.x, b.y) * scale, egui::vec2(b.w, b.h) * scale);
                for (line, boxes) in crop.boxes.iter().enumerate() {
                    for (column, b) in boxes.iter().enumerate() {
                        let Some(b) = b else { continue };
                        let cell = to_screen(b);
                        let doubt = Doubt::of(review.reading.character(line, column).and_then(|c| c.confidence));
                        let style = CellStyle::of(doubt, review.reading.correction_at(line, column).is_some(), fixed_at(line, column), review.selected == Some((line, column)));
                        style.paint(&painter, cell);
                    }
                }
                if response.clicked()
                    && let Some(pointer) = response.interact_pointer_pos()
                {
                    let hit = crop.boxes.iter().enumerate().find_map(|(line, boxes)| {
                        boxes.iter().position(|b| b.as_ref().is_some_and(|b| to_screen(b).expand(1.0).contains(pointer))).map(|column| (line, column))
                    });
                    if hit.is_some() {
                        review.selected = hit;
                        review.entry.clear();
                    }
                }
                legend(ui, tr);
            }
            Err(why) => {
                ui.label(RichText::new(tr.tr(why)).weak());
            }
        }

        // The characters as text, one cell each (also the keyboard and screen-reader way in).
        ui.add_space(4.0);
        let longest = current.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let cell_w = (ui.available_width() / longest as f32).clamp(6.0, 16.0);
        let font = egui::FontId::monospace((cell_w * 1.5).clamp(8.0, 15.0));
        for (line, chars) in current.iter().enumerate() {
            let (row, _) = ui.allocate_exact_size(egui::vec2(cell_w * chars.len() as f32, font.size + 6.0), egui::Sense::hover());
            for (column, character) in chars.iter().enumerate() {
                let cell = egui::Rect::from_min_size(row.min + egui::vec2(cell_w * column as f32, 0.0), egui::vec2(cell_w, row.height()));
                let response = ui.interact(cell, ui.make_persistent_id(("mrz-cell", line, column)), egui::Sense::click());
                response.widget_info(|| {
                    let args = [("line", (line + 1).to_string()), ("position", (column + 1).to_string()), ("char", character.to_string())];
                    egui::WidgetInfo::labeled(egui::Role::Button, true, tr.tr_args("mrz-char-label", &args))
                });
                let doubt = if lines_up { Doubt::of(review.reading.character(line, column).and_then(|c| c.confidence)) } else { Doubt::None };
                let decoder = lines_up && review.reading.correction_at(line, column).is_some();
                let style = CellStyle::of(doubt, decoder, fixed_at(line, column), review.selected == Some((line, column)));
                style.paint_cell(ui.painter(), cell, response.hovered());
                ui.painter().text(cell.center(), egui::Align2::CENTER_CENTER, character, font.clone(), ui.visuals().text_color());
                if response.clicked() {
                    review.selected = Some((line, column));
                    review.entry.clear();
                }
            }
        }

        // The selected character: what was read, the candidates, any other character.
        if let Some((line, column)) = review.selected
            && let Some(now) = current.get(line).and_then(|l| l.get(column)).copied()
        {
            let read = review.reading.character(line, column);
            let position = [("line", (line + 1).to_string()), ("position", (column + 1).to_string())];
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                let read_char = read.map(|r| r.character).or_else(|| review.reading.lines.get(line).and_then(|l| l.chars().nth(column)));
                let mut args = position.to_vec();
                args.push(("char", read_char.map(String::from).unwrap_or_else(|| "—".to_owned())));
                args.push(("confidence", read.and_then(|r| r.confidence).map(percent).unwrap_or_else(|| "—".to_owned())));
                ui.label(RichText::new(tr.tr_args("mrz-selected", &args)).strong());
                if let (Ok(crop), Some(texture)) = (&review.crop, &review.texture) {
                    loupe(ui, crop, texture, line, column, tr);
                }
                if !lines_up {
                    ui.label(RichText::new(tr.tr("mrz-fix-typed")).weak());
                    return;
                }
                if let Some(correction) = review.reading.correction_at(line, column) {
                    ui.label(tr.tr_args("mrz-selected-corrected", &[("from", correction.from.to_string()), ("to", correction.to.to_string())]));
                }
                let candidates = read.map(|r| r.candidates.as_slice()).unwrap_or_default();
                if !candidates.is_empty() {
                    ui.label(tr.tr("mrz-candidates"));
                }
                ui.horizontal_wrapped(|ui| {
                    for (candidate, probability) in candidates {
                        let text = format!("{candidate}  {}", percent(*probability));
                        let button = egui::Button::selectable(now == *candidate, RichText::new(text).monospace());
                        let name = tr.tr_args("mrz-use-candidate", &[("char", candidate.to_string()), ("probability", percent(*probability))]);
                        let response = ui.add(button);
                        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.clone()));
                        if response.clicked() && now != *candidate {
                            chosen = Some((line, column, *candidate));
                        }
                    }
                });
                ui.horizontal(|ui| {
                    let label = ui.label(tr.tr("mrz-other-char"));
                    let entry = ui.add(egui::TextEdit::singleline(&mut review.entry).char_limit(1).desired_width(24.0).font(egui::TextStyle::Monospace)).labelled_by(label.id);
                    if entry.changed() {
                        review.entry = review.entry.to_uppercase();
                        if let Some(typed) = review.entry.chars().next()
                            && mrz_review::is_mrz_char(typed)
                            && typed != now
                        {
                            chosen = Some((line, column, typed));
                        }
                    }
                    if review.entry.chars().next().is_some_and(|c| !mrz_review::is_mrz_char(c)) {
                        ui.colored_label(ui.visuals().error_fg_color, tr.tr("mrz-charset"));
                    }
                });
            });
        }

        // The reader's corrections, in the officer's words.
        if !review.reading.corrections.is_empty() {
            let header = RichText::new(tr.tr_args("mrz-corrections", &[("count", review.reading.corrections.len().to_string())])).strong();
            // A long list is folded: the officer's own fixes and the text come first.
            egui::CollapsingHeader::new(header).id_salt("mrz-corrections").default_open(review.reading.corrections.len() <= 4).show(ui, |ui| {
                for c in &review.reading.corrections {
                    let args = [("line", (c.line + 1).to_string()), ("position", (c.column + 1).to_string()), ("from", c.from.to_string()), ("to", c.to.to_string()), ("reason", reason_text(&c.reason, tr))];
                    ui.label(RichText::new(format!("• {}", tr.tr_args("mrz-correction", &args))).color(DECODER));
                }
            });
        }

        // The officer's own fixes, each with an undo.
        match &self.hand_fixes {
            Some(fixes) if !fixes.is_empty() => {
                ui.label(RichText::new(tr.tr("mrz-hand-fixes")).strong());
                for fix in fixes {
                    ui.horizontal_wrapped(|ui| {
                        let args = [("line", (fix.line + 1).to_string()), ("position", (fix.column + 1).to_string()), ("from", fix.from.to_string()), ("to", fix.to.to_string())];
                        ui.label(RichText::new(format!("• {}", tr.tr_args("mrz-hand-fix", &args))).color(BY_HAND));
                        let undo = tr.tr_args("mrz-undo-fix", &args[..2]);
                        let response = ui.small_button(tr.tr("mrz-undo"));
                        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, undo.clone()));
                        if response.on_hover_text(undo.as_str()).clicked() {
                            chosen = Some((fix.line, fix.column, fix.from));
                        }
                    });
                }
                ui.label(RichText::new(tr.tr("mrz-hand-fixes-next")).small().weak());
            }
            Some(_) => {}
            None => {
                ui.label(RichText::new(tr.tr("mrz-fix-typed")).weak());
            }
        }
        ui.add_space(6.0);
        chosen
    }
}

/// How one character box is drawn: by doubt, and whether it was corrected or selected.
struct CellStyle {
    fill: Color32,
    stroke: egui::Stroke,
    /// A bar under the box: corrected by the reader (purple) or by hand (green).
    mark: Option<Color32>,
}

impl CellStyle {
    fn of(doubt: Doubt, decoder: bool, by_hand: bool, selected: bool) -> CellStyle {
        let (fill, stroke) = match doubt {
            Doubt::Low => (LOW.gamma_multiply(0.35), egui::Stroke::new(2.0, LOW)),
            Doubt::Doubtful => (DOUBTFUL.gamma_multiply(0.3), egui::Stroke::new(2.0, DOUBTFUL)),
            Doubt::None => (Color32::TRANSPARENT, egui::Stroke::new(0.8, SURE.gamma_multiply(0.7))),
        };
        let (fill, stroke) = if by_hand { (BY_HAND.gamma_multiply(0.3), egui::Stroke::new(2.0, BY_HAND)) } else { (fill, stroke) };
        let stroke = if selected { egui::Stroke::new(3.0, SELECTED) } else { stroke };
        let mark = if by_hand { Some(BY_HAND) } else if decoder { Some(DECODER) } else { None };
        CellStyle { fill, stroke, mark }
    }

    /// On the crop: outlined only, so that the ink stays visible.
    fn paint(&self, painter: &egui::Painter, cell: egui::Rect) {
        painter.rect_stroke(cell, 1.0, self.stroke, egui::StrokeKind::Outside);
        if let Some(mark) = self.mark {
            let bar = egui::Rect::from_min_max(egui::pos2(cell.left(), cell.bottom() - 3.0), cell.right_bottom());
            painter.rect_filled(bar, 0.0, mark);
        }
    }

    /// In the grid: sure characters get no box, so the text stays readable.
    fn paint_cell(&self, painter: &egui::Painter, cell: egui::Rect, hovered: bool) {
        let cell = cell.shrink(0.5);
        let stroke = if self.stroke.width < 1.0 { egui::Stroke::new(if hovered { 1.0 } else { 0.0 }, self.stroke.color) } else { self.stroke };
        painter.rect(cell, 1.0, self.fill, stroke, egui::StrokeKind::Inside);
        if let Some(mark) = self.mark {
            painter.rect_filled(egui::Rect::from_min_max(egui::pos2(cell.left(), cell.bottom() - 2.0), cell.right_bottom()), 0.0, mark);
        }
    }
}

/// The selected character and its neighbours, enlarged from the crop: the ink to
/// compare with the candidates.
fn loupe(ui: &mut egui::Ui, crop: &UprightCrop, texture: &egui::TextureHandle, line: usize, column: usize, tr: &Translator) {
    let Some(b) = crop.boxes.get(line).and_then(|l| l.get(column)).copied().flatten() else { return };
    let (crop_w, crop_h) = (crop.image.width().max(1) as f32, crop.image.height().max(1) as f32);
    let around = egui::Rect::from_min_max(egui::pos2(b.x - b.w * 3.0, b.y - b.h * 0.4), egui::pos2(b.x + b.w * 4.0, b.y + b.h * 1.4))
        .intersect(egui::Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(crop_w, crop_h)));
    if around.width() < 1.0 || around.height() < 1.0 {
        return;
    }
    let zoom = (ui.available_width().min(280.0) / around.width()).min(96.0 / around.height());
    let (rect, response) = ui.allocate_exact_size(around.size() * zoom, egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, tr.tr("mrz-loupe-label")));
    let uv = egui::Rect::from_min_max(egui::pos2(around.min.x / crop_w, around.min.y / crop_h), egui::pos2(around.max.x / crop_w, around.max.y / crop_h));
    let painter = ui.painter_at(rect);
    painter.image(texture.id(), rect, uv, Color32::WHITE);
    let cell = egui::Rect::from_min_size(rect.min + (egui::pos2(b.x, b.y) - around.min) * zoom, egui::vec2(b.w, b.h) * zoom);
    painter.rect_stroke(cell, 1.0, egui::Stroke::new(2.0, SELECTED), egui::StrokeKind::Outside);
}

/// What the colours on the crop mean.
fn legend(ui: &mut egui::Ui, tr: &Translator) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let items = [
            (SURE, false, "mrz-legend-sure"),
            (DOUBTFUL, false, "mrz-legend-doubtful"),
            (LOW, false, "mrz-legend-low"),
            (DECODER, true, "mrz-legend-decoder"),
            (BY_HAND, true, "mrz-legend-hand"),
        ];
        for (color, bar, label) in items {
            // Swatch and words as one item of known size, so a wrap never parts them
            // (and the row wraps instead of widening the panel).
            let text = tr.tr(label);
            let galley = ui.painter().layout_no_wrap(text.clone(), egui::TextStyle::Small.resolve(ui.style()), ui.visuals().text_color());
            let size = egui::vec2(16.0 + galley.size().x, galley.size().y.max(12.0));
            let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text.clone()));
            let swatch = egui::Rect::from_min_size(egui::pos2(rect.left(), rect.center().y - 6.0), egui::vec2(12.0, 12.0));
            if bar {
                ui.painter().rect_filled(egui::Rect::from_min_max(egui::pos2(swatch.left(), swatch.bottom() - 4.0), swatch.right_bottom()), 0.0, color);
            } else {
                ui.painter().rect(swatch, 1.0, color.gamma_multiply(0.35), egui::Stroke::new(1.5, color), egui::StrokeKind::Inside);
            }
            ui.painter().galley(egui::pos2(rect.left() + 16.0, rect.center().y - galley.size().y / 2.0), galley, ui.visuals().text_color());
            ui.add_space(6.0);
        }
    });
}

/// The reader's reason in the officer's language where it is a check digit
/// (`check digit: makes the Document number check digit hold`); else its own words.
fn reason_text(reason: &str, tr: &Translator) -> String {
    let Some(field) = reason.strip_prefix("check digit: makes the ").and_then(|r| r.strip_suffix(" check digit hold")) else {
        return reason.strip_prefix("grammar: ").unwrap_or(reason).to_owned();
    };
    let field = match field {
        "Document number" => tr.tr("mrz-field-document-number"),
        "Date of birth" => tr.tr("mrz-field-birth-date"),
        "Date of expiry" => tr.tr("mrz-field-expiry-date"),
        "Optional data" => tr.tr("mrz-reason-field-optional-data"),
        "Composite" => tr.tr("mrz-reason-field-composite"),
        other => other.to_owned(),
    };
    let mut chars = field.chars();
    let field: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
    tr.tr_args("mrz-reason-check-digit", &[("field", field)])
}

/// `42 %`.
fn percent(probability: f32) -> String {
    format!("{:.0} %", probability * 100.0)
}
