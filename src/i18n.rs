//! Translations with Fluent (`assets/i18n/<lang>/main.ftl`), compiled into the
//! binary. English (en-US) is the reference; French (fr) is complete, and a test
//! keeps it so.

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
pub const LANGUAGES: &[Language] =
    &[Language { tag: "en-US", native_name: "English" }, Language { tag: "fr", native_name: "Français" }];

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
        let map: std::collections::HashMap<std::borrow::Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'_>> =
            args.iter().map(|(k, v)| (std::borrow::Cow::Owned((*k).to_owned()), v.clone().into())).collect();
        LOCALES.try_lookup_with_args(&self.language, id, &map).unwrap_or_else(|| id.to_owned())
    }

    /// The BCP 47 tag in use.
    pub fn tag(&self) -> String {
        self.language.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_ids(ftl: &str) -> std::collections::BTreeSet<String> {
        ftl.lines()
            .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    #[test]
    fn french_is_complete() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/i18n");
        let en = message_ids(&std::fs::read_to_string(root.join("en-US/main.ftl")).unwrap());
        let fr = message_ids(&std::fs::read_to_string(root.join("fr/main.ftl")).unwrap());
        let missing: Vec<_> = en.difference(&fr).collect();
        let extra: Vec<_> = fr.difference(&en).collect();
        assert!(missing.is_empty(), "missing in fr: {missing:?}");
        assert!(extra.is_empty(), "only in fr: {extra:?}");
        assert!(en.len() > 20);
    }

    #[test]
    fn lookups_translate_and_fall_back() {
        assert_eq!(Translator::new("fr").tr("nav-home"), "Accueil");
        assert_eq!(Translator::new("en-US").tr("nav-home"), "Home");
        assert_eq!(Translator::new("xx").tr("nav-home"), "Home");
        assert_eq!(Translator::new("en-US").tr("no-such-id"), "no-such-id");
    }
}
