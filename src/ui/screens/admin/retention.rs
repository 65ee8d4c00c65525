//! Retention tab: how long cases are kept, and the purge of the expired ones after the
//! administrator has seen how many it will destroy.

use eframe::egui;

use super::show_message;
use crate::i18n::Translator;
use crate::store::{Session, Store};

/// The retention period being edited and the purge confirmation.
#[derive(Default)]
pub struct RetentionTab {
    loaded: bool,
    /// Whether cases are deleted after a period at all.
    pub limited: bool,
    /// The period in days.
    pub days: u32,
    /// Cases a purge would destroy, once the administrator asked (the confirmation step).
    pub confirm_count: Option<u64>,
    /// A shorter period that would destroy cases, with their number, awaiting confirmation
    /// (every opening of the store purges what is past the period, so saving is destroying).
    pub confirm_save: Option<(u32, u64)>,
    /// The last action's outcome.
    pub message: Option<Result<String, String>>,
}

impl RetentionTab {
    pub(super) fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) {
        if !self.loaded {
            let current = store.retention_days().ok().flatten();
            self.limited = current.is_some();
            self.days = current.unwrap_or(365);
            self.loaded = true;
        }
        ui.label(tr.tr("admin-retention-intro"));
        match store.retention_days() {
            Ok(Some(days)) => ui.label(tr.tr_args("admin-retention-current", &[("days", days.to_string())])),
            Ok(None) => ui.label(tr.tr("admin-retention-keep")),
            Err(e) => ui.colored_label(ui.visuals().error_fg_color, e.to_string()),
        };
        ui.add_space(6.0);
        ui.checkbox(&mut self.limited, tr.tr("admin-retention-limited"));
        if self.limited {
            ui.horizontal(|ui| {
                let label = ui.label(tr.tr("admin-retention-days"));
                ui.add(egui::DragValue::new(&mut self.days).range(1..=36_500)).labelled_by(label.id);
            });
        }
        if ui.button(tr.tr("admin-retention-save")).clicked() {
            let days = self.limited.then_some(self.days);
            match days.map(|days| store.cases_older_than(session, days).map(|count| (days, count))).transpose() {
                Ok(Some((days, count))) if count > 0 => self.confirm_save = Some((days, count)),
                Ok(_) => self.message = Some(save(store, session, days, tr)),
                Err(e) => self.message = Some(Err(e.to_string())),
            }
            self.confirm_count = None;
        }
        if let Some((days, count)) = self.confirm_save {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr.tr_args("admin-retention-save-confirm", &[("count", count.to_string()), ("days", days.to_string())]),
            );
            ui.horizontal(|ui| {
                if ui.button(tr.tr("admin-retention-save-destroy")).clicked() {
                    self.message = Some(save(store, session, Some(days), tr).and_then(|saved| {
                        let purged = store.purge_expired(session).map_err(|e| e.to_string())?.purged;
                        Ok(format!(
                            "{saved} {}",
                            tr.tr_args("admin-retention-purged", &[("count", purged.to_string())])
                        ))
                    }));
                    self.confirm_save = None;
                }
                if ui.button(tr.tr("admin-cancel")).clicked() {
                    self.confirm_save = None;
                }
            });
        }
        ui.add_space(12.0);
        match self.confirm_count {
            None => {
                if ui.button(tr.tr("admin-retention-purge")).clicked() {
                    match store.expired_case_count(session) {
                        Ok(count) => self.confirm_count = Some(count),
                        Err(e) => self.message = Some(Err(e.to_string())),
                    }
                }
            }
            Some(count) => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr.tr_args("admin-retention-confirm", &[("count", count.to_string())]),
                );
                ui.horizontal(|ui| {
                    if count > 0 && ui.button(tr.tr("admin-retention-purge-confirm")).clicked() {
                        self.message = Some(
                            store
                                .purge_expired(session)
                                .map(|report| {
                                    tr.tr_args("admin-retention-purged", &[("count", report.purged.to_string())])
                                })
                                .map_err(|e| e.to_string()),
                        );
                        self.confirm_count = None;
                    }
                    if ui.button(tr.tr("admin-cancel")).clicked() {
                        self.confirm_count = None;
                    }
                });
            }
        }
        show_message(ui, &self.message);
    }
}

/// Saves the period and words the outcome.
fn save(store: &Store, session: &Session, days: Option<u32>, tr: &Translator) -> Result<String, String> {
    store
        .set_retention_days(session, days)
        .map(|()| match days {
            Some(days) => tr.tr_args("admin-retention-saved", &[("days", days.to_string())]),
            None => tr.tr("admin-retention-saved-keep"),
        })
        .map_err(|e| e.to_string())
}
