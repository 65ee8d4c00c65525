//! Widgets shared by the screens.

pub mod checks;
pub mod context_fields;
pub mod file_browser;
pub mod image_view;

pub use file_browser::FileBrowser;
pub use image_view::{ImageView, show_image};
