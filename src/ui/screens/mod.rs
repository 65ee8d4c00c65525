//! One struct per screen.

mod document;
mod home;
mod settings;
mod system;

pub use document::DocumentScreen;
pub use home::{HomeAction, HomeScreen};
pub use settings::SettingsScreen;
pub use system::SystemScreen;
