//! The case list: filters (date, status, verdict, issuer, fraud type, officer), paging,
//! and the supervisor's review queue (submitted cases).

use eframe::egui;
use tdverify_core::{FraudType, Verdict};

use super::labelled_field;
use crate::i18n::Translator;
use crate::store::{CaseFilter, CasePage, CaseStatus, PageRequest, Permission, Session, Store};

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;

/// Which cases the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListMode {
    /// Every case the session may see, filtered.
    #[default]
    All,
    /// Submitted cases waiting for review (supervisors and experts).
    ReviewQueue,
}

/// Filter fields, paging and the page shown.
#[derive(Default)]
pub struct CaseList {
    /// All cases or the review queue.
    pub mode: ListMode,
    /// Opened on or after (YYYY-MM-DD).
    pub since: String,
    /// Opened before (YYYY-MM-DD).
    pub until: String,
    /// Status filter.
    pub status: Option<CaseStatus>,
    /// Verdict filter.
    pub verdict: Option<Verdict>,
    /// Issuing state filter.
    pub issuer: String,
    /// Fraud type filter.
    pub fraud_type: Option<FraudType>,
    /// Officer filter (user name).
    pub officer: String,
    /// First row of the page shown.
    pub offset: u64,
    /// The page shown (None: to be loaded).
    pub page: Option<CasePage>,
    /// Why the list could not be loaded.
    pub error: Option<String>,
    /// The row the keyboard is on (↑/↓ move it, Enter opens it).
    pub cursor: usize,
}

const STATUSES: [CaseStatus; 3] = [CaseStatus::Draft, CaseStatus::Submitted, CaseStatus::Reviewed];
/// A case lists the officer's verdict, else the proposed one (which may be "recapture").
const VERDICTS: [Verdict; 5] =
    [Verdict::Genuine, Verdict::Review, Verdict::Fraudulent, Verdict::Inconclusive, Verdict::Recapture];

impl CaseList {
    /// Reloads the page on the next frame.
    pub fn mark_stale(&mut self) {
        self.page = None;
    }

    /// The filter the fields describe, or a message about a date that cannot be read.
    pub fn filter(&self, tr: &Translator) -> Result<CaseFilter, String> {
        let date = |text: &str| -> Result<Option<i64>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            crate::store::time::parse_utc(text)
                .map(Some)
                .ok_or_else(|| tr.tr_args("cases-bad-date", &[("date", text.to_owned())]))
        };
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(CaseFilter {
            opened_from: date(&self.since)?,
            opened_to: date(&self.until)?,
            status: if self.mode == ListMode::ReviewQueue { Some(CaseStatus::Submitted) } else { self.status },
            verdict: self.verdict,
            issuing_state: text(&self.issuer).map(|t| t.to_uppercase()),
            fraud_type: self.fraud_type,
            officer: text(&self.officer),
            ..CaseFilter::default()
        })
    }

    fn reload(&mut self, tr: &Translator, store: &Store, session: &Session) {
        self.error = None;
        match self.filter(tr) {
            Ok(filter) => {
                match store.list_cases(session, &filter, PageRequest { offset: self.offset, limit: PAGE_SIZE }) {
                    Ok(page) => self.page = Some(page),
                    Err(e) => {
                        self.error = Some(e.to_string());
                        self.page = Some(CasePage { total: 0, rows: Vec::new() });
                    }
                }
            }
            Err(message) => {
                self.error = Some(message);
                self.page = Some(CasePage { total: 0, rows: Vec::new() });
            }
        }
    }

    /// Draws filters and rows; returns the id of a case the user opened.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) -> Option<String> {
        let mut changed = false;
        if session.may(Permission::ReviewCase) {
            ui.horizontal(|ui| {
                for (mode, label) in [(ListMode::All, "cases-all"), (ListMode::ReviewQueue, "cases-review-queue")] {
                    if ui.selectable_label(self.mode == mode, tr.tr(label)).clicked() && self.mode != mode {
                        self.mode = mode;
                        self.offset = 0;
                        changed = true;
                    }
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            changed |= labelled_field(ui, &tr.tr("cases-since"), &mut self.since, false).lost_focus();
            changed |= labelled_field(ui, &tr.tr("cases-until"), &mut self.until, false).lost_focus();
            changed |= labelled_field(ui, &tr.tr("cases-issuer"), &mut self.issuer, false).lost_focus();
            changed |= labelled_field(ui, &tr.tr("cases-officer"), &mut self.officer, false).lost_focus();
        });
        ui.horizontal_wrapped(|ui| {
            if self.mode == ListMode::All {
                changed |= choice(ui, tr, "cases-status", &mut self.status, &STATUSES, |s| s.as_str());
            }
            changed |= choice(ui, tr, "cases-verdict", &mut self.verdict, &VERDICTS, |v| v.as_str());
            changed |= choice(ui, tr, "cases-fraud-type", &mut self.fraud_type, &FraudType::ALL, |f| f.as_str());
            if ui.button(tr.tr("cases-refresh")).clicked() {
                changed = true;
            }
        });
        if changed {
            self.offset = 0;
            self.page = None;
        }
        if self.page.is_none() {
            self.reload(tr, store, session);
        }
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.separator();
        // The keyboard, when no field is being typed in: ↑/↓ choose a row, Enter opens it,
        // Page Up/Down turn the page, F5 reloads.
        let typing = ui.ctx().memory(|m| m.focused().is_some());
        if !typing {
            let (up, down, enter, page_up, page_down, reload) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::PageUp),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::PageDown),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::F5),
                )
            });
            let rows = self.page.as_ref().map_or(0, |p| p.rows.len());
            let total = self.page.as_ref().map_or(0, |p| p.total);
            if up {
                self.cursor = self.cursor.saturating_sub(1);
            }
            if down && rows > 0 {
                self.cursor = (self.cursor + 1).min(rows - 1);
            }
            if page_up && self.offset > 0 {
                self.offset = self.offset.saturating_sub(PAGE_SIZE);
                self.page = None;
                self.cursor = 0;
            }
            if page_down && self.offset + PAGE_SIZE < total {
                self.offset += PAGE_SIZE;
                self.page = None;
                self.cursor = 0;
            }
            if reload {
                self.page = None;
            }
            if self.page.is_none() {
                self.reload(tr, store, session);
            }
            if enter && let Some(row) = self.page.as_ref().and_then(|p| p.rows.get(self.cursor)) {
                return Some(row.case_id.clone());
            }
        }
        let page = self.page.as_ref()?;
        self.cursor = self.cursor.min(page.rows.len().saturating_sub(1));
        let cursor = self.cursor;
        let mut opened = None;
        if page.rows.is_empty() {
            ui.label(tr.tr("cases-none"));
        } else {
            egui::ScrollArea::vertical().max_height(ui.available_height() - 40.0).show(ui, |ui| {
                egui::Grid::new("case-rows").striped(true).num_columns(6).show(ui, |ui| {
                    for header in [
                        "cases-col-case",
                        "cases-col-opened",
                        "cases-status",
                        "cases-verdict",
                        "cases-issuer",
                        "cases-officer",
                    ] {
                        ui.label(egui::RichText::new(tr.tr(header)).strong());
                    }
                    ui.end_row();
                    for (index, row) in page.rows.iter().enumerate() {
                        let link = if index == cursor {
                            ui.add(egui::Button::selectable(true, &row.case_id))
                        } else {
                            ui.link(&row.case_id)
                        };
                        if index == cursor {
                            link.scroll_to_me(None);
                        }
                        if link.clicked() {
                            opened = Some(row.case_id.clone());
                        }
                        ui.label(&row.opened);
                        ui.label(row.status.as_str());
                        ui.label(row.verdict().map(Verdict::as_str).unwrap_or("-"));
                        ui.label(row.metadata.issuing_state.as_deref().unwrap_or("-"));
                        ui.label(&row.officer);
                        ui.end_row();
                    }
                });
            });
        }
        let total = page.total;
        ui.horizontal(|ui| {
            let first = if total == 0 { 0 } else { self.offset + 1 };
            let last = (self.offset + PAGE_SIZE).min(total);
            ui.label(tr.tr_args(
                "cases-page",
                &[("first", first.to_string()), ("last", last.to_string()), ("total", total.to_string())],
            ));
            ui.label(egui::RichText::new(tr.tr("cases-keys")).weak().small());
            if ui.add_enabled(self.offset > 0, egui::Button::new(tr.tr("cases-previous"))).clicked() {
                self.offset = self.offset.saturating_sub(PAGE_SIZE);
                self.page = None;
            }
            if ui.add_enabled(self.offset + PAGE_SIZE < total, egui::Button::new(tr.tr("cases-next"))).clicked() {
                self.offset += PAGE_SIZE;
                self.page = None;
            }
        });
        opened
    }
}

/// A combo box "any / values…" labelled for screen readers; true when changed.
fn choice<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    tr: &Translator,
    label_id: &str,
    value: &mut Option<T>,
    options: &[T],
    name: impl Fn(T) -> &'static str,
) -> bool {
    let before = *value;
    let label = ui.label(tr.tr(label_id));
    let any = tr.tr("cases-any");
    egui::ComboBox::from_id_salt(label_id)
        .selected_text(value.map(&name).map(str::to_owned).unwrap_or_else(|| any.clone()))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, any.clone());
            for option in options {
                ui.selectable_value(value, Some(*option), name(*option));
            }
        })
        .response
        .labelled_by(label.id);
    *value != before
}
