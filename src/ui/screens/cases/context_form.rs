//! The case context in the officer's verdict form: where and how the document was met,
//! the route, the group, the nationalities, the SLTD result, the conclusion and the
//! outcome. Station defaults (Settings) prefill what is empty. Fields a fraud case needs
//! before submission are marked with `*`; the store refuses a submission without them
//! and names what is missing.

use eframe::egui;

use crate::i18n::Translator;
use crate::settings::StationDefaults;
use crate::store::ContextUpdate;
use crate::store::context::{
    CONCLUSION_LEVELS, DETECTION_POINT_TYPES, DETECTION_STAGES, HOTLIST_RESULTS, OUTCOMES, REQUIRED_FOR_FRAUD,
    TRANSPORT_MODES, TRAVEL_DIRECTIONS,
};
use crate::ui::widgets::context_fields::{code_combo, country_picker, optional_count, optional_text};

/// The context being edited for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextForm {
    /// The values as the officer sees them.
    pub update: ContextUpdate,
}

impl ContextForm {
    /// The form for a case's stored context, with the station's defaults filled in where
    /// the case has nothing yet.
    pub fn new(mut update: ContextUpdate, station: &StationDefaults) -> ContextForm {
        station.prefill(&mut update.context);
        ContextForm { update }
    }

    /// Draws the form; `required` marks the fields a fraud case needs.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, required: bool) {
        let label = |ui: &mut egui::Ui, field: &str| {
            let mut text = tr.tr(&format!("context-{field}"));
            if required && REQUIRED_FOR_FRAUD.contains(&field) {
                text.push_str(" *");
            }
            ui.label(text)
        };
        let update = &mut self.update;
        let ctx = &mut update.context;
        egui::Grid::new("case-context").num_columns(4).spacing([12.0, 6.0]).show(ui, |ui| {
            let l = label(ui, "detection_country");
            country_picker(ui, "ctx-detection-country", l.id, &mut ctx.detection_country);
            let l = label(ui, "detection_area");
            optional_text(ui, l.id, &mut ctx.detection_area, 120.0);
            ui.end_row();

            let l = label(ui, "detection_point_type");
            code_combo(ui, "ctx-point-type", l.id, DETECTION_POINT_TYPES, &mut ctx.detection_point_type);
            let l = label(ui, "detection_point");
            optional_text(ui, l.id, &mut ctx.detection_point, 120.0);
            ui.end_row();

            let l = label(ui, "detection_stage");
            code_combo(ui, "ctx-stage", l.id, DETECTION_STAGES, &mut ctx.detection_stage);
            let l = label(ui, "travel_direction");
            code_combo(ui, "ctx-direction", l.id, TRAVEL_DIRECTIONS, &mut ctx.travel_direction);
            ui.end_row();

            let l = label(ui, "transport_mode");
            code_combo(ui, "ctx-transport", l.id, TRANSPORT_MODES, &mut ctx.transport_mode);
            let l = label(ui, "hotlist_result");
            code_combo(ui, "ctx-hotlist", l.id, HOTLIST_RESULTS, &mut update.hotlist_result);
            ui.end_row();

            let l = label(ui, "nationality_claimed");
            country_picker(ui, "ctx-nat-claimed", l.id, &mut update.nationality_claimed);
            let l = label(ui, "nationality_established");
            country_picker(ui, "ctx-nat-established", l.id, &mut update.nationality_established);
            ui.end_row();

            let l = label(ui, "route_embarkation");
            country_picker(ui, "ctx-embarkation", l.id, &mut ctx.route_embarkation);
            let l = label(ui, "route_destination");
            country_picker(ui, "ctx-destination", l.id, &mut ctx.route_destination);
            ui.end_row();

            let l = label(ui, "route_transits");
            ui.horizontal(|ui| {
                let mut transits: Vec<Option<String>> = (0..3).map(|i| ctx.route_transits.get(i).cloned()).collect();
                for (i, transit) in transits.iter_mut().enumerate() {
                    country_picker(ui, &format!("ctx-transit-{i}"), l.id, transit);
                }
                ctx.route_transits = transits.into_iter().flatten().collect();
            });
            let l = label(ui, "group_size");
            ui.horizontal(|ui| {
                optional_count(ui, "ctx-group", l.id, &mut ctx.group_size);
                let d = ui.label(tr.tr("context-documents_held"));
                optional_count(ui, "ctx-documents", d.id, &mut ctx.documents_held);
            });
            ui.end_row();

            let l = label(ui, "conclusion_level");
            code_combo(ui, "ctx-conclusion", l.id, CONCLUSION_LEVELS, &mut update.conclusion_level);
            let l = label(ui, "outcome");
            code_combo(ui, "ctx-outcome", l.id, OUTCOMES, &mut update.outcome);
            ui.end_row();
        });
    }
}
