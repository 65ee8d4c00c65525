//! One struct per screen.

mod document;
mod home;
mod mrz_panel;
mod settings;
mod system;

pub use document::{DocumentScreen, light_label};
pub use home::{HomeAction, HomeScreen};
pub use mrz_panel::MrzPanel;
pub use settings::SettingsScreen;
pub use system::SystemScreen;
