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

/// The empty-state home screen: says what to do first, and how current the stolen and
/// lost documents hotlist is.
#[derive(Debug, Default)]
pub struct HomeScreen {
    /// The hotlist's status, read once from its header (`None` until read).
    pub hotlist: Option<Result<Option<crate::sltd::HotlistStatus>, String>>,
}

impl HomeScreen {
    /// Draws the screen; returns the action chosen, if any.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, samples_available: bool, data_dir: &std::path::Path) -> Option<HomeAction> {
        let mut action = None;
        let hotlist = self
            .hotlist
            .get_or_insert_with(|| crate::sltd::Hotlist::read_status(data_dir, crate::sltd::today_days(), i64::from(crate::store::Store::sltd_max_age_in(data_dir))).map_err(|e| e.to_string()))
            .clone();
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
            ui.add_space(20.0);
            let warn = egui::Color32::from_rgb(0xd0, 0x8c, 0x00);
            match &hotlist {
                Ok(Some(status)) if status.stale => {
                    ui.colored_label(warn, tr.tr_args("home-sltd-stale", &[("as_of", status.as_of.clone()), ("days", status.age_days.to_string())]));
                }
                Ok(Some(status)) => {
                    ui.label(tr.tr_args("home-sltd-current", &[("as_of", status.as_of.clone()), ("days", status.age_days.to_string()), ("entries", status.entries.to_string())]));
                }
                Ok(None) => {
                    ui.colored_label(warn, tr.tr("home-sltd-none"));
                }
                Err(e) => {
                    ui.colored_label(warn, e);
                }
            }
        });
        action
    }
}
