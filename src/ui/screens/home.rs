use eframe::egui;

use crate::i18n::Translator;

/// What the user asked for on the home screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeAction {
    /// Open image files of a document.
    OpenImages,
    /// Open a generated sample document.
    OpenSample,
    /// Show the system check.
    CheckSystem,
}

/// The empty-state home screen: says what to do first.
#[derive(Debug, Default)]
pub struct HomeScreen;

impl HomeScreen {
    /// Draws the screen; returns the action chosen, if any.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, samples_available: bool) -> Option<HomeAction> {
        let mut action = None;
        ui.add_space(24.0);
        ui.vertical_centered(|ui| {
            ui.heading(egui::RichText::new(tr.tr("home-title")).size(26.0));
            ui.add_space(8.0);
            ui.label(tr.tr("home-intro"));
            ui.add_space(20.0);
            ui.label(egui::RichText::new(tr.tr("home-step-place")).strong());
            ui.label(tr.tr("home-step-open"));
            ui.label(tr.tr("home-step-drop"));
            ui.add_space(20.0);
            let open = ui.add_sized([260.0, 36.0], egui::Button::new(tr.tr("home-open-images")));
            if open.clicked() {
                action = Some(HomeAction::OpenImages);
            }
            open.on_hover_text("Ctrl+O");
            ui.add_space(6.0);
            let sample = ui.add_enabled(samples_available, egui::Button::new(tr.tr("home-open-sample")).min_size([260.0, 36.0].into()));
            if sample.clicked() {
                action = Some(HomeAction::OpenSample);
            }
            if !samples_available {
                sample.on_disabled_hover_text(tr.tr("home-no-samples"));
            }
            ui.add_space(6.0);
            if ui.add_sized([260.0, 36.0], egui::Button::new(tr.tr("home-check-system"))).clicked() {
                action = Some(HomeAction::CheckSystem);
            }
        });
        action
    }
}
