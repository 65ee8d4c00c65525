//! Trusted keys tab: the Ed25519 keys the station trusts for SLTD hotlist bundles, other
//! stations' trend bundles and training sessions; trust one from a key file, distrust.
//! The same store calls as `tdverify sltd|trends|training trust/distrust`.

use std::path::Path;

use eframe::egui;

use super::{labelled_field, show_message};
use crate::i18n::Translator;
use crate::store::{KeyPurpose, Session, Store};

/// Every purpose a key can be trusted for, in display order.
pub const PURPOSES: [KeyPurpose; 3] =
    [KeyPurpose::SltdPublisher, KeyPurpose::TrendStation, KeyPurpose::TrainingPublisher];

/// A short fingerprint of a public key: the first 8 bytes of its SHA-256, hex in pairs,
/// easy to read aloud and compare with the publisher over the phone.
pub fn fingerprint(public_key: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
    digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Reads a public key file (`ed25519:HEX` or 64 hex characters, as the publishers hand them out).
pub fn read_key_file(path: &Path) -> Result<Vec<u8>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::export::parse_public_key(&text)
        .ok_or_else(|| format!("{}: not an Ed25519 public key (ed25519: and 64 hex characters)", path.display()))
}

fn purpose_label(tr: &Translator, purpose: KeyPurpose) -> String {
    tr.tr(&format!("admin-keys-purpose-{}", purpose.as_str().replace('_', "-")))
}

/// The key listing and the trust form.
#[derive(Default)]
pub struct KeysTab {
    /// The purpose of the key to trust.
    pub purpose: Option<KeyPurpose>,
    /// The administrator's name for it (the NCB, the station).
    pub label: String,
    /// The key file.
    pub file: String,
    /// The last action's outcome.
    pub message: Option<Result<String, String>>,
}

impl KeysTab {
    pub(super) fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) {
        ui.label(tr.tr("admin-keys-intro"));
        let mut distrust = None;
        egui::Grid::new("admin-keys").striped(true).num_columns(5).spacing([14.0, 6.0]).show(ui, |ui| {
            for id in ["admin-keys-purpose", "admin-keys-label", "admin-keys-fingerprint", "admin-keys-added"] {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
            }
            ui.label("");
            ui.end_row();
            for purpose in PURPOSES {
                match store.trusted_keys(purpose) {
                    Ok(keys) => {
                        for key in keys {
                            ui.label(purpose_label(tr, purpose));
                            ui.label(&key.label);
                            ui.label(fingerprint(&key.public_key)).on_hover_text(key.display_key());
                            ui.label(format!("{} ({})", key.added_at, key.added_by));
                            if ui.button(tr.tr("admin-keys-distrust")).on_hover_text(&key.label).clicked() {
                                distrust = Some(key);
                            }
                            ui.end_row();
                        }
                    }
                    Err(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                        ui.end_row();
                    }
                }
            }
        });
        if let Some(key) = distrust {
            self.message = Some(
                store
                    .distrust_key(session, key.purpose, &key.public_key)
                    .map(|_| tr.tr_args("admin-keys-distrusted", &[("label", key.label.clone())]))
                    .map_err(|e| e.to_string()),
            );
        }
        ui.add_space(12.0);
        ui.label(egui::RichText::new(tr.tr("admin-keys-trust-title")).strong());
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("admin-keys-purpose"));
            let purpose = self.purpose.get_or_insert(KeyPurpose::SltdPublisher);
            egui::ComboBox::from_id_salt("admin-keys-purpose")
                .selected_text(purpose_label(tr, *purpose))
                .show_ui(ui, |ui| {
                    for candidate in PURPOSES {
                        ui.selectable_value(purpose, candidate, purpose_label(tr, candidate));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        labelled_field(ui, &tr.tr("admin-keys-label"), &mut self.label, 260.0, false);
        labelled_field(ui, &tr.tr("admin-keys-file"), &mut self.file, 420.0, false);
        let ready = !self.label.trim().is_empty() && !self.file.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new(tr.tr("admin-keys-trust"))).clicked() {
            let purpose = self.purpose.unwrap_or(KeyPurpose::SltdPublisher);
            self.message = Some(read_key_file(Path::new(self.file.trim())).and_then(|key| {
                store
                    .trust_key(session, purpose, &key, self.label.trim())
                    .map(|added| {
                        let id = if added { "admin-keys-trusted" } else { "admin-keys-already" };
                        tr.tr_args(id, &[("fingerprint", fingerprint(&key))])
                    })
                    .map_err(|e| e.to_string())
            }));
        }
        show_message(ui, &self.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_read_in_both_spellings_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let hex = "11".repeat(32);
        std::fs::write(dir.path().join("a.pub"), format!("ed25519:{hex}\n")).unwrap();
        std::fs::write(dir.path().join("b.pub"), &hex).unwrap();
        std::fs::write(dir.path().join("c.pub"), "not a key").unwrap();
        assert_eq!(read_key_file(&dir.path().join("a.pub")).unwrap(), vec![0x11; 32]);
        assert_eq!(read_key_file(&dir.path().join("b.pub")).unwrap(), vec![0x11; 32]);
        assert!(read_key_file(&dir.path().join("c.pub")).is_err());
        assert!(read_key_file(&dir.path().join("missing.pub")).is_err());
        assert_eq!(fingerprint(&[0x11; 32]).len(), 8 * 3 - 1);
    }
}
