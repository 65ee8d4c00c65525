//! Translations with Fluent (`assets/i18n/<lang>/main.ftl`), compiled into the
//! binary. English (en-US) is the reference; French, Spanish and Russian are
//! complete, and tests keep every language in [`LANGUAGES`] so (same message ids,
//! same variables, every character drawable by the GUI font).

use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./assets/i18n",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the UI offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// BCP 47 tag as stored in settings.
    pub tag: &'static str,
    /// Its name in itself, for the language picker.
    pub native_name: &'static str,
}

/// The languages the UI offers, complete.
/// Spanish and Russian are here because the tool is deployed in Latin America and Central Asia.
pub const LANGUAGES: &[Language] = &[
    Language { tag: "en-US", native_name: "English" },
    Language { tag: "fr", native_name: "Français" },
    Language { tag: "es", native_name: "Español" },
    Language { tag: "ru", native_name: "Русский" },
];

/// Looks up translations for one language.
#[derive(Debug, Clone)]
pub struct Translator {
    language: LanguageIdentifier,
}

impl Translator {
    /// A translator for a BCP 47 tag; unknown tags fall back to English.
    pub fn new(tag: &str) -> Translator {
        let language = tag
            .parse::<LanguageIdentifier>()
            .ok()
            .filter(|l| LANGUAGES.iter().any(|known| known.tag == l.to_string()))
            .unwrap_or_else(|| unic_langid::langid!("en-US"));
        Translator { language }
    }

    /// The translated text for a message id, or the id itself when it is missing
    /// (visible in the UI, and caught by the completeness test).
    pub fn tr(&self, id: &str) -> String {
        LOCALES.try_lookup(&self.language, id).unwrap_or_else(|| id.to_owned())
    }

    /// The translated text with named arguments (`{ $count }` in the .ftl file).
    pub fn tr_args(&self, id: &str, args: &[(&str, String)]) -> String {
        let map: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue<'_>,
        > = args.iter().map(|(k, v)| (std::borrow::Cow::Owned((*k).to_owned()), fluent_value(v))).collect();
        LOCALES.try_lookup_with_args(&self.language, id, &map).unwrap_or_else(|| id.to_owned())
    }

    /// The BCP 47 tag in use.
    pub fn tag(&self) -> String {
        self.language.to_string()
    }
}

/// An argument as Fluent sees it: a plain integer becomes a number, so plural
/// selectors (`[one]`, `[few]`, `[many]` in Russian) pick the right form; anything
/// else (ids with leading zeros, dates, names) stays text, exactly as given.
fn fluent_value(text: &str) -> fluent_templates::fluent_bundle::FluentValue<'static> {
    match text.parse::<i64>() {
        Ok(number) if number.to_string() == text => number.into(),
        _ => text.to_owned().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// One message of a .ftl file: its id and the names of the variables it uses.
    type Messages = BTreeMap<String, BTreeSet<String>>;

    /// Message ids with their variables; a message runs on over the indented (or
    /// `}`) lines that follow its `id =` line.
    fn messages(ftl: &str) -> Messages {
        let mut messages = Messages::new();
        let mut current: Option<String> = None;
        for line in ftl.lines() {
            let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            let body = if starts_message {
                let Some((id, value)) = line.split_once('=') else { continue };
                let id = id.trim().to_owned();
                messages.entry(id.clone()).or_default();
                current = Some(id);
                value
            } else if line.starts_with([' ', '}']) {
                line
            } else {
                current = None;
                continue;
            };
            if let Some(id) = &current {
                messages.entry(id.clone()).or_default().extend(variables(body));
            }
        }
        messages
    }

    /// The names after each `$` (Fluent variable references and selectors).
    fn variables(text: &str) -> Vec<String> {
        text.split('$')
            .skip(1)
            .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect())
            .filter(|name: &String| !name.is_empty())
            .collect()
    }

    fn ftl_of(tag: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/i18n").join(tag).join("main.ftl");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn every_language_has_every_message_with_the_same_variables() {
        let reference = messages(&ftl_of("en-US"));
        assert!(reference.len() > 400, "en-US has only {} messages", reference.len());
        assert_eq!(reference.get("browser-open").map(|v| v.len()), Some(1), "the parser sees the selector variable");
        let tags: Vec<&str> = LANGUAGES.iter().map(|l| l.tag).collect();
        for tag in ["fr", "es", "ru"] {
            assert!(tags.contains(&tag), "{tag} is not offered");
        }
        for language in LANGUAGES.iter().filter(|l| l.tag != "en-US") {
            let translated = messages(&ftl_of(language.tag));
            let missing: Vec<_> = reference.keys().filter(|id| !translated.contains_key(*id)).collect();
            let extra: Vec<_> = translated.keys().filter(|id| !reference.contains_key(*id)).collect();
            let different_variables: Vec<_> = reference
                .iter()
                .filter_map(|(id, vars)| {
                    translated.get(id).filter(|theirs| *theirs != vars).map(|theirs| (id, vars, theirs))
                })
                .collect();
            assert!(missing.is_empty(), "missing in {}: {missing:?}", language.tag);
            assert!(extra.is_empty(), "only in {}: {extra:?}", language.tag);
            assert!(different_variables.is_empty(), "variables differ in {}: {different_variables:?}", language.tag);
        }
    }

    #[test]
    fn the_parser_catches_a_missing_message_and_a_renamed_variable() {
        let reference = messages("a = x { $count }\nb = { $n ->\n    [one] one\n   *[other] { $n }\n}\n");
        let translated = messages("a = y { $number }\n");
        assert_eq!(reference.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_ne!(reference["a"], translated["a"]);
        assert!(reference["b"].contains("n"));
        assert!(!translated.contains_key("b"));
    }

    #[test]
    fn every_message_of_every_language_is_drawn_by_the_gui_font() {
        let ctx = egui::Context::default();
        ctx.set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
        let font = egui::FontId::proportional(14.0);
        for language in LANGUAGES {
            let translator = Translator::new(language.tag);
            assert_eq!(translator.tag(), language.tag);
            let ids: Vec<String> = messages(&ftl_of(language.tag)).into_keys().collect();
            // Raw message text covers every plural variant, not just the one selected.
            let raw = ftl_of(language.tag);
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                for id in &ids {
                    ui.label(translator.tr(id));
                }
                ui.label(language.native_name);
            });
            output.textures_delta.clear();
            let undrawable: BTreeSet<char> =
                ctx.fonts_mut(|fonts| raw.chars().filter(|c| !c.is_control() && !fonts.has_glyph(&font, *c)).collect());
            assert!(undrawable.is_empty(), "{}: no glyph for {undrawable:?}", language.tag);
        }
    }

    #[test]
    fn lookups_translate_and_fall_back() {
        assert_eq!(Translator::new("fr").tr("nav-home"), "Accueil");
        assert_eq!(Translator::new("es").tr("nav-home"), "Inicio");
        assert_eq!(Translator::new("ru").tr("nav-home"), "Главная");
        assert_eq!(Translator::new("en-US").tr("nav-home"), "Home");
        assert_eq!(Translator::new("xx").tr("nav-home"), "Home");
        assert_eq!(Translator::new("en-US").tr("no-such-id"), "no-such-id");
    }

    #[test]
    fn russian_and_spanish_plurals_choose_the_right_form() {
        let open =
            |tag: &str, count: &str| Translator::new(tag).tr_args("browser-open", &[("count", count.to_owned())]);
        assert_eq!(open("ru", "1"), "Открыть 1 изображение");
        assert_eq!(open("ru", "3"), "Открыть 3 изображения");
        assert_eq!(open("ru", "5"), "Открыть 5 изображений");
        assert_eq!(open("es", "1"), "Abrir 1 imagen");
        assert_eq!(open("es", "4"), "Abrir 4 imágenes");
        assert_eq!(open("en-US", "1"), "Open 1 image");
        assert_eq!(open("en-US", "0"), "Open");
        let case = Translator::new("en-US").tr_args("case-saved", &[("case", "0042".to_owned())]);
        assert!(case.contains("case 0042 "), "{case}");
    }
}
