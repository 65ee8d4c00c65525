//! The list of findings: status mark, plain-words message, and where to look.
//! Failures first; clicking a finding with an image region selects it so the
//! screen can zoom to its evidence.

use eframe::egui::{self, Color32, RichText};
use tdverify_core::{Check, CheckStatus};

use crate::i18n::Translator;

/// Colour and mark of a status, readable without colour too (the mark differs).
pub fn status_style(status: CheckStatus, visuals: &egui::Visuals) -> (Color32, &'static str) {
    match status {
        CheckStatus::Pass => (Color32::from_rgb(0x2e, 0x9d, 0x4f), "✔"),
        CheckStatus::Fail => (visuals.error_fg_color, "✖"),
        CheckStatus::Warn => (Color32::from_rgb(0xd0, 0x8c, 0x00), "⚠"),
        CheckStatus::Error => (Color32::from_rgb(0x8a, 0x5c, 0xd0), "?"),
        CheckStatus::NotChecked => (Color32::from_rgb(0x4f, 0x7f, 0xb0), "👁"),
        CheckStatus::NotApplicable => (visuals.weak_text_color(), "–"),
    }
}

/// Translation id of a status word.
pub fn status_label(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "check-pass",
        CheckStatus::Fail => "check-fail",
        CheckStatus::Warn => "check-warn",
        CheckStatus::Error => "check-error",
        CheckStatus::NotChecked => "check-not-checked",
        CheckStatus::NotApplicable => "check-not-applicable",
    }
}

/// Counts per status, for a one-line summary.
pub fn summary(checks: &[Check], tr: &Translator) -> String {
    let count = |status| checks.iter().filter(|c| c.status == status).count();
    [CheckStatus::Fail, CheckStatus::Warn, CheckStatus::Error, CheckStatus::NotChecked, CheckStatus::Pass]
        .into_iter()
        .filter(|s| count(*s) > 0)
        .map(|s| format!("{} {}", count(s), tr.tr(status_label(s))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Draws the checks, most severe first; returns the index (into `checks`) of
/// a finding the user clicked.
pub fn show_checks(ui: &mut egui::Ui, checks: &[Check], tr: &Translator, selected: Option<usize>) -> Option<usize> {
    let mut order: Vec<usize> = (0..checks.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(checks[i].status.severity()));
    let mut clicked = None;
    for index in order {
        let check = &checks[index];
        let (color, mark) = status_style(check.status, ui.visuals());
        let frame = egui::Frame::new()
            .inner_margin(egui::Margin::symmetric(6, 4))
            .fill(if selected == Some(index) { ui.visuals().selection.bg_fill.gamma_multiply(0.4) } else { Color32::TRANSPARENT });
        let response = frame
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(mark).color(color).strong())
                        .on_hover_text(tr.tr(status_label(check.status)));
                    ui.label(RichText::new(&check.message).color(if check.status == CheckStatus::Pass { ui.visuals().text_color() } else { color }));
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(&check.id).small().monospace().weak());
                    if check.confidence < 1.0 {
                        ui.label(RichText::new(tr.tr_args("check-confidence", &[("percent", format!("{:.0}", check.confidence * 100.0))])).small().weak());
                    }
                    for evidence in &check.evidence {
                        let place = match (&evidence.light, &evidence.source) {
                            (Some(light), _) => tr.tr(crate::ui::screens::light_label(*light)),
                            (None, Some(source)) => source.clone(),
                            (None, None) => continue,
                        };
                        let text = match &evidence.detail {
                            Some(detail) => format!("{place}: {detail}"),
                            None => place,
                        };
                        ui.label(RichText::new(text).small());
                    }
                });
            })
            .response
            .interact(egui::Sense::click());
        if response.clicked() {
            clicked = Some(index);
        }
    }
    clicked
}
