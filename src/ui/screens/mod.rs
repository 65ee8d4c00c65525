//! One struct per screen.

mod capture_window;
pub mod admin;
mod cases;
mod chip;
mod document;
mod face_panel;
pub mod flow;
mod home;
mod inspection;
mod mrz_panel;
mod settings;
mod system;
pub mod training;
mod trends;

pub use capture_window::{CaptureMode, CaptureWindow, Captured, SourceChoice};
pub use admin::{AdminScreen, AdminTab};
pub use cases::{CaseDetail, CaseList, CasesScreen, ListMode, LoginForm, SaveFailure};
pub use chip::{ChipOutcome, ChipPanel, ChipState};
pub use document::{CaseLink, DocumentScreen, SaveRequest, SaveTrigger, light_label};
pub use face_panel::{BearerPhoto, FacePanel};
pub use home::{HomeAction, HomeScreen};
pub use inspection::InspectionPanel;
pub use mrz_panel::MrzPanel;
pub use settings::SettingsScreen;
pub use system::SystemScreen;
pub use training::{AnswerDraft, BuildForm, Run, TrainingResults, TrainingScreen, TrainingTab};
pub use trends::{TrendsScreen, TrendsTab, TrendsViews, bundle_folders, compute_views};
