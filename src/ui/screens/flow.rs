//! The guided flow of one case on the Document screen: capture, MRZ, chip, bearer,
//! results, decision. Each stage starts by itself as soon as its inputs exist (the
//! inspection once the images are in, the chip once the MRZ is read, a new inspection
//! when the chip or the bearer's photo arrives), the bar above the images shows where
//! each stage stands, and every step has a key, so an officer can work a case from
//! "new case" to "saved" without the mouse. The officer can go back to any stage:
//! replacing an image or the photo runs the stages after it again.

use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use tdverify_core::{Light, Verdict};

use crate::i18n::Translator;
use crate::settings::StationDefaults;
use crate::store::{Classification, ContextUpdate, Session, Store};
use crate::ui::screens::cases::ContextForm;

/// The decision form is saved this long after the officer's last change.
const DECISION_AUTOSAVE: Duration = Duration::from_millis(1500);

/// The stages of one case, in the order an officer works them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The document's images under each light.
    Capture,
    /// The MRZ read from the images (or typed).
    Mrz,
    /// The chip read with the MRZ's key (or the CAN).
    Chip,
    /// The bearer's photo.
    Bearer,
    /// The inspection with every input.
    Results,
    /// The officer's verdict and the case context, saved.
    Decide,
}

impl Stage {
    /// Flow order; also the Alt+1… shortcuts.
    pub const ALL: [Stage; 6] = [Stage::Capture, Stage::Mrz, Stage::Chip, Stage::Bearer, Stage::Results, Stage::Decide];

    /// Translation id of the stage's name.
    pub fn label_id(self) -> &'static str {
        match self {
            Stage::Capture => "flow-capture",
            Stage::Mrz => "flow-mrz",
            Stage::Chip => "flow-chip",
            Stage::Bearer => "flow-bearer",
            Stage::Results => "flow-results",
            Stage::Decide => "flow-decide",
        }
    }

    fn key(self) -> egui::Key {
        match self {
            Stage::Capture => egui::Key::Num1,
            Stage::Mrz => egui::Key::Num2,
            Stage::Chip => egui::Key::Num3,
            Stage::Bearer => egui::Key::Num4,
            Stage::Results => egui::Key::Num5,
            Stage::Decide => egui::Key::Num6,
        }
    }
}

/// Where a stage stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Its inputs are not there yet.
    Waiting,
    /// Working.
    Running,
    /// Finished.
    Done,
    /// Passed over, with the reason (no reader, no bearer present).
    Skipped(String),
    /// Stopped on a problem the officer must see (the message says what to do).
    Problem(String),
}

/// Marks of the stage bar: waiting, running, done, skipped, problem, and the separator
/// (each drawn by egui's own font: a test checks).
const MARKS: [&str; 6] = ["○", "…", "✔", "–", "⚠", "›"];

/// What the inputs of an inspection were, to know when a new one is due.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputsKey {
    images: Vec<(String, Light, u8)>,
    chip_reads: usize,
    bearer: Option<String>,
}

impl InputsKey {
    /// The key of the images, the number of finished chip reads and the bearer photo.
    pub fn new(images: Vec<(String, Light, u8)>, chip_reads: usize, bearer: Option<String>) -> InputsKey {
        InputsKey { images, chip_reads, bearer }
    }
}

/// The officer's decision being edited: verdict, fraud type, case context.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Verdict, fraud type and forgery methods.
    pub classification: Classification,
    /// The case context (station defaults filled in).
    pub context: ContextForm,
}

/// State of the guided flow for the document on screen.
pub struct GuidedFlow {
    /// Whether stages start by themselves (the officer can turn it off).
    pub auto: bool,
    /// The stage the officer last went to (highlighted; the side panel scrolls to it).
    pub focus: Stage,
    /// Inputs of the last inspection started.
    pub inspected: Option<InputsKey>,
    /// The MRZ text the last chip read was started with.
    pub chip_started_for: Option<String>,
    /// The officer said no bearer photo will be taken.
    pub bearer_skipped: bool,
    /// The decision form, once results exist.
    pub decision: Option<Decision>,
    /// The officer asked to save the decision; done once the case exists.
    pub decision_wanted: bool,
    /// The officer changed the decision form (a new result no longer replaces it).
    pub decision_touched: bool,
    /// The decision as last saved to the case.
    pub decision_saved: Option<Decision>,
    /// Why the last decision save failed.
    pub decision_error: Option<String>,
    /// The officer asked to submit the case after saving the decision.
    pub submit_wanted: bool,
    /// The case was submitted.
    pub submitted: bool,
    scroll_to: Option<Stage>,
    decision_changed: Option<Instant>,
}

impl Default for GuidedFlow {
    fn default() -> GuidedFlow {
        GuidedFlow {
            auto: true,
            focus: Stage::Capture,
            inspected: None,
            chip_started_for: None,
            bearer_skipped: false,
            decision: None,
            decision_wanted: false,
            decision_touched: false,
            decision_saved: None,
            decision_error: None,
            submit_wanted: false,
            submitted: false,
            scroll_to: None,
            decision_changed: None,
        }
    }
}

/// What the flow asks the document screen to do this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowAction {
    /// Start the inspection of the current inputs.
    Inspect,
    /// Read the chip with this MRZ text (empty: the CAN).
    ReadChip(String),
}

/// The facts the flow decides from, gathered by the document screen each frame.
pub struct FlowInputs {
    /// The inputs an inspection started now would have.
    pub key: InputsKey,
    /// An image is still being decoded.
    pub loading: bool,
    /// A white image is open (an inspection can run).
    pub has_white: bool,
    /// The inspection is running.
    pub inspecting: bool,
    /// A finished inspection is there.
    pub has_result: bool,
    /// Whether its MRZ is valid (`None`: no MRZ in it).
    pub mrz_valid: Option<bool>,
    /// The chip panel is reading.
    pub chip_busy: bool,
    /// The chip panel's last read: Ok, or the failure message.
    pub chip_outcome: Option<Result<(), String>>,
    /// Connected readers, when the PC/SC service answered.
    pub readers: Option<usize>,
    /// The MRZ panel's text (the chip key).
    pub mrz_text: String,
    /// The face panel is taking or opening a photo.
    pub bearer_busy: bool,
    /// A bearer photo is there.
    pub has_bearer: bool,
    /// The case is saved (its id).
    pub case_id: Option<String>,
}

impl GuidedFlow {
    /// Back to the first stage for a new document.
    pub fn reset(&mut self) {
        let auto = self.auto;
        *self = GuidedFlow { auto, ..GuidedFlow::default() };
    }

    /// Whether the MRZ of `result` was read and is valid.
    pub fn mrz_valid(result: Option<&crate::inspect::Inspection>) -> Option<bool> {
        let mrz = result?.mrz.as_ref()?;
        Some(mrz.report.get("valid").and_then(|v| v.as_bool()).unwrap_or(false))
    }

    /// Where each stage stands.
    pub fn progress(&self, stage: Stage, inputs: &FlowInputs, tr: &Translator) -> Progress {
        let current = self.inspected.as_ref() == Some(&inputs.key);
        match stage {
            Stage::Capture => {
                if inputs.loading {
                    Progress::Running
                } else if inputs.has_white {
                    Progress::Done
                } else {
                    Progress::Waiting
                }
            }
            Stage::Mrz => match (inputs.mrz_valid, inputs.inspecting) {
                (Some(true), _) => Progress::Done,
                (_, true) => Progress::Running,
                (Some(false), false) => Progress::Problem(tr.tr("flow-mrz-invalid")),
                (None, false) if inputs.has_result => Progress::Problem(tr.tr("flow-mrz-none")),
                (None, false) => Progress::Waiting,
            },
            Stage::Chip => {
                if inputs.chip_busy {
                    return Progress::Running;
                }
                match &inputs.chip_outcome {
                    Some(Ok(())) => Progress::Done,
                    Some(Err(message)) => Progress::Problem(message.clone()),
                    None => match inputs.readers {
                        Some(0) | None => Progress::Skipped(tr.tr("flow-chip-no-reader")),
                        Some(_) => Progress::Waiting,
                    },
                }
            }
            Stage::Bearer => {
                if inputs.bearer_busy {
                    Progress::Running
                } else if inputs.has_bearer {
                    Progress::Done
                } else if self.bearer_skipped {
                    Progress::Skipped(tr.tr("flow-bearer-skipped"))
                } else {
                    Progress::Waiting
                }
            }
            Stage::Results => {
                if inputs.inspecting {
                    Progress::Running
                } else if inputs.has_result && current {
                    Progress::Done
                } else if inputs.has_result {
                    // Inputs changed since: a new inspection is coming (or due).
                    Progress::Running
                } else {
                    Progress::Waiting
                }
            }
            Stage::Decide => {
                if self.submitted {
                    Progress::Done
                } else if let Some(error) = &self.decision_error {
                    Progress::Problem(error.clone())
                } else if self.decision.is_some() && self.decision == self.decision_saved && inputs.case_id.is_some() {
                    Progress::Done
                } else if self.decision_wanted {
                    Progress::Running
                } else {
                    Progress::Waiting
                }
            }
        }
    }

    /// Decides what starts by itself this frame.
    pub fn next_action(&mut self, inputs: &FlowInputs) -> Option<FlowAction> {
        if !self.auto || inputs.loading || inputs.inspecting || !inputs.has_white {
            return None;
        }
        // A chip or a photo on its way: inspect once, with it.
        if inputs.chip_busy || inputs.bearer_busy {
            return None;
        }
        // Images opened together load together: the inspection starts once none is loading.
        if self.inspected.as_ref() != Some(&inputs.key) {
            return Some(FlowAction::Inspect);
        }
        // The chip, once the MRZ is read and a reader is there, once per MRZ.
        let mrz_read = inputs.mrz_valid == Some(true);
        if mrz_read
            && inputs.readers.is_some_and(|n| n > 0)
            && inputs.chip_outcome.is_none()
            && self.chip_started_for.as_deref() != Some(inputs.mrz_text.as_str())
        {
            self.chip_started_for = Some(inputs.mrz_text.clone());
            return Some(FlowAction::ReadChip(inputs.mrz_text.clone()));
        }
        None
    }

    /// The decision form for a new result: the proposed verdict and fraud type preselected
    /// (a recapture proposal selects nothing: the officer decides), the context from the
    /// station's defaults. Each new result (the chip or the photo joined) prepares it
    /// again, until the officer changes it: then their form is kept.
    pub fn prepare_decision(&mut self, result: &crate::inspect::Inspection, station: &StationDefaults) {
        if self.decision.is_some() && self.decision_touched {
            return;
        }
        let proposed = &result.verdict;
        let officer_verdict = match proposed.proposed {
            Verdict::Recapture => None,
            other => Some(other),
        };
        let fraudulent = officer_verdict == Some(Verdict::Fraudulent);
        let classification = Classification {
            officer_verdict,
            fraud_type: fraudulent.then_some(proposed.fraud_type),
            forgery_methods: if fraudulent { proposed.forgery_methods.clone() } else { Vec::new() },
        };
        let context = ContextForm::new(ContextUpdate::default(), station);
        self.decision = Some(Decision { classification, context });
    }

    /// Saves the decision to case `case_id` when asked, or a while after the officer last
    /// changed it (the draft saves itself; a preselected verdict the officer never touched
    /// is not their decision and is not saved by itself), then submits when asked.
    pub fn save_decision(&mut self, store: &Store, session: &Session, case_id: &str, tr: &Translator) {
        let Some(decision) = &self.decision else { return };
        let changed = self.decision_saved.as_ref() != Some(decision);
        let autosave_due = changed && self.decision_changed.is_some_and(|at| at.elapsed() >= DECISION_AUTOSAVE);
        if !(self.decision_wanted || autosave_due) {
            return;
        }
        let saved = (|| {
            if changed {
                // Fields the officer left empty keep what the case holds (nationality from
                // the MRZ, the hotlist result from the inspection).
                let case = store.open_case(session, case_id)?;
                let update = decision.context.update.clone().or(ContextUpdate::of_case(&case.metadata, &case.holder));
                store.set_case_context(session, case_id, &update)?;
                store.set_classification(session, case_id, &decision.classification)?;
            }
            if self.submit_wanted {
                store.submit_case(session, case_id)?;
            }
            Ok::<(), crate::store::StoreError>(())
        })();
        match saved {
            Ok(()) => {
                self.decision_saved = Some(decision.clone());
                self.decision_error = None;
                if self.submit_wanted {
                    self.submitted = true;
                }
            }
            Err(crate::store::StoreError::IncompleteContext { missing, .. }) => {
                // Saved up to the submission: the officer completes the context.
                self.decision_saved = Some(decision.clone());
                let fields: Vec<String> = missing
                    .iter()
                    .map(|f| if f == "fraud_type" { tr.tr("cases-fraud-type") } else { tr.tr(&format!("context-{f}")) })
                    .collect();
                self.decision_error = Some(tr.tr_args("cases-context-missing", &[("fields", fields.join(", "))]));
            }
            Err(e) => self.decision_error = Some(e.to_string()),
        }
        self.decision_wanted = false;
        self.submit_wanted = false;
        self.decision_changed = None;
    }

    /// When the decision form should be looked at again (its autosave is due then).
    pub fn autosave_due_in(&self) -> Option<Duration> {
        self.decision_changed.map(|at| DECISION_AUTOSAVE.saturating_sub(at.elapsed()))
    }

    /// Moves to `stage` (the side panel scrolls to its section).
    pub fn go_to(&mut self, stage: Stage) {
        self.focus = stage;
        self.scroll_to = Some(stage);
    }

    /// Called where a stage's section starts in the side panel: scrolls there once when
    /// the officer went to it.
    pub fn anchor(&mut self, ui: &mut egui::Ui, stage: Stage) {
        if self.scroll_to == Some(stage) {
            ui.scroll_to_cursor(Some(egui::Align::TOP));
            self.scroll_to = None;
        }
    }

    /// Alt+1…6 go to a stage.
    pub fn handle_stage_keys(&mut self, ctx: &egui::Context) {
        for stage in Stage::ALL {
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::ALT, stage.key())) {
                self.go_to(stage);
            }
        }
    }

    /// The bar of stages above the images; a click goes to the stage.
    pub fn show_bar(&mut self, ui: &mut egui::Ui, tr: &Translator, inputs: &FlowInputs) {
        ui.horizontal_wrapped(|ui| {
            for (index, stage) in Stage::ALL.into_iter().enumerate() {
                let progress = self.progress(stage, inputs, tr);
                let (mark, color) = match &progress {
                    Progress::Waiting => (MARKS[0], ui.visuals().weak_text_color()),
                    Progress::Running => (MARKS[1], ui.visuals().text_color()),
                    Progress::Done => (MARKS[2], egui::Color32::from_rgb(0x2e, 0x9e, 0x4f)),
                    Progress::Skipped(_) => (MARKS[3], ui.visuals().weak_text_color()),
                    Progress::Problem(_) => (MARKS[4], ui.visuals().warn_fg_color),
                };
                if index > 0 {
                    ui.label(RichText::new(MARKS[5]).weak());
                }
                if progress == Progress::Running {
                    ui.spinner();
                }
                let text = RichText::new(format!("{mark} {}. {}", index + 1, tr.tr(stage.label_id()))).color(color);
                let hover = match &progress {
                    Progress::Skipped(why) | Progress::Problem(why) => format!("Alt+{} · {why}", index + 1),
                    _ => format!("Alt+{}", index + 1),
                };
                if ui.add(egui::Button::selectable(self.focus == stage, text)).on_hover_text(hover).clicked() {
                    self.go_to(stage);
                }
            }
            ui.separator();
            ui.checkbox(&mut self.auto, tr.tr("flow-auto")).on_hover_text(tr.tr("flow-auto-hint"));
        });
        // The focused stage's problem or reason, in words, under the bar.
        let focused = self.progress(self.focus, inputs, tr);
        let first_open = Stage::ALL.into_iter().find_map(|stage| match self.progress(stage, inputs, tr) {
            Progress::Problem(why) => Some((stage, why)),
            _ => None,
        });
        if let Progress::Problem(why) | Progress::Skipped(why) = focused {
            ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
        } else if let Some((stage, why)) = first_open {
            ui.label(RichText::new(format!("{}: {why}", tr.tr(stage.label_id()))).color(ui.visuals().warn_fg_color));
        }
        ui.label(RichText::new(tr.tr("flow-keys")).small().weak());
    }

    /// The decision section: verdict, fraud type, context, Save (Ctrl+S) and Submit
    /// (Ctrl+Shift+S); Alt+G/F/R/I pick the verdict.
    pub fn show_decision(&mut self, ui: &mut egui::Ui, tr: &Translator, logged_in: bool, case_saved: bool) {
        self.anchor(ui, Stage::Decide);
        ui.heading(format!("6. {}", tr.tr("flow-decide")));
        let Some(decision) = &mut self.decision else {
            ui.label(RichText::new(tr.tr("flow-decide-waiting")).weak());
            return;
        };
        let before = decision.clone();
        let verdict_keys = [
            (egui::Key::G, Verdict::Genuine),
            (egui::Key::F, Verdict::Fraudulent),
            (egui::Key::R, Verdict::Review),
            (egui::Key::I, Verdict::Inconclusive),
        ];
        for (key, verdict) in verdict_keys {
            if ui.input_mut(|i| i.consume_key(egui::Modifiers::ALT, key)) {
                decision.classification.officer_verdict = Some(verdict);
            }
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(tr.tr("cases-officer-verdict"));
            for (key, verdict) in verdict_keys {
                ui.selectable_value(&mut decision.classification.officer_verdict, Some(verdict), verdict.as_str())
                    .on_hover_text(format!("Alt+{key:?}"));
            }
        });
        let fraud = decision.classification.officer_verdict == Some(Verdict::Fraudulent);
        if fraud {
            ui.horizontal_wrapped(|ui| {
                ui.label(tr.tr("cases-fraud-type"));
                for kind in tdverify_core::FraudType::ALL {
                    ui.selectable_value(&mut decision.classification.fraud_type, Some(kind), kind.as_str());
                }
            });
        } else {
            decision.classification.fraud_type = None;
            decision.classification.forgery_methods.clear();
        }
        egui::CollapsingHeader::new(tr.tr("cases-context"))
            .id_salt("flow-context")
            .default_open(fraud)
            .open(fraud.then_some(true))
            .show(ui, |ui| {
                if fraud {
                    ui.label(tr.tr("cases-context-required"));
                }
                decision.context.show(ui, tr, fraud);
            });
        if *decision != before {
            self.decision_changed = Some(Instant::now());
            self.decision_touched = true;
        }
        if !logged_in {
            ui.label(RichText::new(tr.tr("flow-decide-login")).color(ui.visuals().warn_fg_color));
        }
        ui.horizontal(|ui| {
            let save = ui.button(tr.tr("flow-save")).on_hover_text("Ctrl+S").clicked()
                || ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::S));
            let submit = ui.button(tr.tr("flow-save-submit")).on_hover_text("Ctrl+Shift+S").clicked()
                || ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::S));
            if save || submit {
                self.decision_wanted = true;
                self.submit_wanted = submit;
                self.decision_error = None;
            }
            if self.submitted {
                ui.label(RichText::new(tr.tr("flow-submitted")).strong());
            } else if case_saved && self.decision.is_some() && self.decision == self.decision_saved {
                ui.label(RichText::new(tr.tr("flow-decision-saved")).strong());
            }
        });
        if let Some(error) = &self.decision_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(key: InputsKey) -> FlowInputs {
        FlowInputs {
            key,
            loading: false,
            has_white: true,
            inspecting: false,
            has_result: false,
            mrz_valid: None,
            chip_busy: false,
            chip_outcome: None,
            readers: Some(1),
            mrz_text: String::new(),
            bearer_busy: false,
            has_bearer: false,
            case_id: None,
        }
    }

    fn images() -> Vec<(String, Light, u8)> {
        vec![("a.png".into(), Light::White, 0)]
    }

    #[test]
    fn the_inspection_starts_once_the_images_are_in_and_once_per_set_of_inputs() {
        let mut flow = GuidedFlow::default();
        let key = InputsKey::new(images(), 0, None);
        let mut loading = inputs(key.clone());
        loading.loading = true;
        assert_eq!(flow.next_action(&loading), None, "an image of the set is still loading");
        assert_eq!(flow.next_action(&inputs(key.clone())), Some(FlowAction::Inspect));
        flow.inspected = Some(key.clone());
        assert_eq!(flow.next_action(&inputs(key.clone())), None, "the same inputs are not inspected twice");
        // A chip read arriving is a new input.
        let with_chip = InputsKey::new(images(), 1, None);
        assert_eq!(flow.next_action(&inputs(with_chip)), Some(FlowAction::Inspect));
    }

    #[test]
    fn nothing_starts_by_itself_when_the_officer_turned_it_off_or_work_is_running() {
        let mut flow = GuidedFlow { auto: false, ..GuidedFlow::default() };
        let key = InputsKey::new(images(), 0, None);
        assert_eq!(flow.next_action(&inputs(key.clone())), None);
        let mut flow = GuidedFlow::default();
        let mut busy = inputs(key.clone());
        busy.chip_busy = true;
        assert_eq!(flow.next_action(&busy), None, "wait for the chip, then inspect once");
        let mut busy = inputs(key);
        busy.loading = true;
        assert_eq!(flow.next_action(&busy), None);
    }

    #[test]
    fn the_bar_marks_are_drawn_by_the_gui_font() {
        let ctx = egui::Context::default();
        let font = egui::FontId::proportional(14.0);
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.label(MARKS.concat());
        });
        output.textures_delta.clear();
        let missing: String =
            ctx.fonts_mut(|fonts| MARKS.concat().chars().filter(|c| !fonts.has_glyph(&font, *c)).collect());
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }

    #[test]
    fn reset_keeps_the_officers_choice_of_automatic_stages() {
        let mut flow = GuidedFlow { auto: false, bearer_skipped: true, ..GuidedFlow::default() };
        flow.reset();
        assert!(!flow.auto);
        assert!(!flow.bearer_skipped);
        assert_eq!(flow.focus, Stage::Capture);
    }
}
