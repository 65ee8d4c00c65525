//! A small in-app file browser for choosing document images, or the files of another
//! kind a screen asks for (works the same under Xvfb, on kiosks without a desktop
//! portal, and with the keyboard).

use std::path::{Path, PathBuf};

use eframe::egui;

use crate::i18n::Translator;

/// File extensions offered as document images.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "tif", "tiff", "bmp", "jp2", "j2k"];

/// File extensions offered for the CSCA trust store: master lists, certificates, CRLs.
pub const CSCA_EXTENSIONS: &[&str] = &["ml", "der", "cer", "crt", "pem", "crl", "p7b", "p7c", "bin"];

/// State of the open-images window.
#[derive(Debug, Clone)]
pub struct FileBrowser {
    /// Folder listed.
    pub folder: PathBuf,
    /// The path typed in the location field.
    pub location: String,
    /// Files ticked for opening.
    pub selected: Vec<PathBuf>,
    /// The file extensions listed (lower case); folders are always listed.
    extensions: &'static [&'static str],
    /// The window title's translation key.
    title_key: &'static str,
    entries: Vec<Entry>,
    error: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    path: PathBuf,
    is_dir: bool,
}

/// What the user did in the browser this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserOutcome {
    /// Still choosing.
    Open,
    /// Open these files.
    Chosen(Vec<PathBuf>),
    /// Closed without choosing.
    Cancelled,
}

impl FileBrowser {
    /// A browser listing the document images in `folder`.
    pub fn new(folder: &Path) -> FileBrowser {
        FileBrowser::for_extensions(folder, IMAGE_EXTENSIONS, "browser-title")
    }

    /// A browser listing the files of `folder` with one of `extensions` (lower case),
    /// titled by the translation of `title_key`.
    pub fn for_extensions(folder: &Path, extensions: &'static [&'static str], title_key: &'static str) -> FileBrowser {
        let mut browser = FileBrowser {
            folder: folder.to_path_buf(),
            location: folder.display().to_string(),
            selected: Vec::new(),
            extensions,
            title_key,
            entries: Vec::new(),
            error: None,
        };
        browser.enter(folder.to_path_buf());
        browser
    }

    /// Lists another folder (errors are shown, the old listing kept).
    pub fn enter(&mut self, folder: PathBuf) {
        match list_folder(&folder, self.extensions) {
            Ok(entries) => {
                self.entries = entries;
                self.location = folder.display().to_string();
                self.folder = folder;
                self.error = None;
            }
            Err(e) => self.error = Some(format!("{}: {e}", folder.display())),
        }
    }

    /// Draws the browser window.
    pub fn show(&mut self, ctx: &egui::Context, tr: &Translator) -> BrowserOutcome {
        let mut outcome = BrowserOutcome::Open;
        let mut open = true;
        egui::Window::new(tr.tr(self.title_key))
            .id(egui::Id::unique("file-browser"))
            .open(&mut open)
            .collapsible(false)
            .default_size([560.0, 420.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    if ui.button(tr.tr("browser-up")).clicked()
                        && let Some(parent) = self.folder.parent()
                    {
                        self.enter(parent.to_path_buf());
                    }
                    let field = ui
                        .add(egui::TextEdit::singleline(&mut self.location).desired_width(380.0))
                        .on_hover_text(tr.tr("browser-location"));
                    let location_name = tr.tr("browser-location");
                    field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, location_name.clone()));
                    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        let typed = PathBuf::from(self.location.trim());
                        if typed.is_file() {
                            self.selected = vec![typed];
                        } else {
                            self.enter(typed);
                        }
                    }
                });
                if let Some(error) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                ui.separator();
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    let mut enter = None;
                    for entry in &self.entries {
                        let name = entry.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        if entry.is_dir {
                            if ui.button(format!("🗀 {name}")).clicked() {
                                enter = Some(entry.path.clone());
                            }
                        } else {
                            let mut ticked = self.selected.contains(&entry.path);
                            if ui.checkbox(&mut ticked, name).changed() {
                                if ticked {
                                    self.selected.push(entry.path.clone());
                                } else {
                                    self.selected.retain(|p| p != &entry.path);
                                }
                            }
                        }
                    }
                    if let Some(folder) = enter {
                        self.enter(folder);
                    }
                });
                ui.separator();
                ui.horizontal(|ui| {
                    let count = self.selected.len();
                    let open_label = tr.tr_args("browser-open", &[("count", count.to_string())]);
                    if ui.add_enabled(count > 0, egui::Button::new(open_label)).clicked() {
                        outcome = BrowserOutcome::Chosen(std::mem::take(&mut self.selected));
                    }
                    if ui.button(tr.tr("browser-cancel")).clicked() {
                        outcome = BrowserOutcome::Cancelled;
                    }
                });
            });
        if !open { BrowserOutcome::Cancelled } else { outcome }
    }
}

/// Folders first, then the files with one of `extensions`, each sorted by name; hidden
/// entries left out.
fn list_folder(folder: &Path, extensions: &[&str]) -> std::io::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = std::fs::read_dir(folder)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .filter_map(|path| {
            let is_dir = path.is_dir();
            let wanted = path
                .extension()
                .is_some_and(|e| extensions.contains(&e.to_string_lossy().to_ascii_lowercase().as_str()));
            (is_dir || wanted).then_some(Entry { path, is_dir })
        })
        .collect();
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.path.cmp(&b.path)));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folders_then_images_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("scans")).unwrap();
        std::fs::write(dir.path().join("b.png"), b"").unwrap();
        std::fs::write(dir.path().join("a.JPG"), b"").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"").unwrap();
        std::fs::write(dir.path().join(".hidden.png"), b"").unwrap();
        let names: Vec<String> = list_folder(dir.path(), IMAGE_EXTENSIONS)
            .unwrap()
            .iter()
            .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["scans", "a.JPG", "b.png"]);
    }

    #[test]
    fn the_csca_browser_lists_master_lists_certificates_and_crls() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["UTO.ml", "csca.PEM", "link.cer", "revoked.crl", "scan.png", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let browser = FileBrowser::for_extensions(dir.path(), CSCA_EXTENSIONS, "browser-title-csca");
        let names: Vec<String> =
            browser.entries.iter().map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["UTO.ml", "csca.PEM", "link.cer", "revoked.crl"]);
    }

    #[test]
    fn unreadable_folder_keeps_the_listing_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let mut browser = FileBrowser::new(dir.path());
        browser.enter(dir.path().join("missing"));
        assert_eq!(browser.folder, dir.path());
        assert!(browser.error.is_some());
    }
}
