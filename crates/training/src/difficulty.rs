//! How hard a fraudulent fixture document is to catch by eye, so a trainer can start a
//! class on obvious defects and move on to subtle ones. The classes follow what the
//! forger changed, not how the automatic checks fare: a defect is *obvious* when an
//! examiner looking at the page under the three lights sees it without measuring
//! (office paper glowing, inks gone in IR, a typed MRZ, a glued photo, a re-typed
//! field, a state that does not exist), and *subtle* when it takes measuring,
//! comparing with a reference, the chip, the bearer or the hotlist.

use serde::{Deserialize, Serialize};
use tdverify_fixtures::Scenario;

/// Which fraudulent documents a session draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Every fraudulent document.
    #[default]
    Any,
    /// Defects an examiner sees on the page.
    Obvious,
    /// Defects that take measuring or another source.
    Subtle,
}

impl Difficulty {
    /// Stable name (`any`, `obvious`, `subtle`).
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Any => "any",
            Difficulty::Obvious => "obvious",
            Difficulty::Subtle => "subtle",
        }
    }

    /// Whether this is [`Difficulty::Any`] (serde: the default is not written).
    pub fn is_any(&self) -> bool {
        *self == Difficulty::Any
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Difficulty> {
        match name {
            "any" => Some(Difficulty::Any),
            "obvious" => Some(Difficulty::Obvious),
            "subtle" => Some(Difficulty::Subtle),
            _ => None,
        }
    }

    /// Whether a document of `scenario` belongs to this class (genuine documents
    /// belong to every class: difficulty sorts the frauds only).
    pub fn admits(self, scenario: Scenario) -> bool {
        match (self, class_of(scenario)) {
            (Difficulty::Any, _) | (_, None) => true,
            (wanted, Some(class)) => wanted == class,
        }
    }
}

/// The class of a scenario's defect; `None` for documents without a fraud.
pub fn class_of(scenario: Scenario) -> Option<Difficulty> {
    use Scenario as S;
    match scenario {
        S::Genuine | S::Expired => None,
        S::CounterfeitUvBright
        | S::CounterfeitNoIr
        | S::CounterfeitMrzFont
        | S::CounterfeitInkjet
        | S::PhotoSubstitution
        | S::VizAltered
        | S::MrzAlteredBadCheckDigit
        | S::PseudoIssuer => Some(Difficulty::Obvious),
        S::CounterfeitMrzPitch
        | S::CounterfeitLayout
        | S::MrzAlteredRecomputed
        | S::MrzAlteredWhiteOnly
        | S::PhotoSubstitutionClean
        | S::PhotoSubstitutionRelaminated
        | S::CounterfeitOvdFlat
        | S::Impostor
        | S::StolenBlank
        | S::ChipDataGroupAltered
        | S::ChipUnknownCsca
        | S::ChipClone
        | S::ChipDg1Mismatch => Some(Difficulty::Subtle),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fraud_scenario_has_a_class_and_genuine_ones_none() {
        for scenario in &tdverify_fixtures::scenario::DEFAULT_CYCLE {
            let class = class_of(*scenario);
            let fraud = !matches!(scenario, Scenario::Genuine | Scenario::Expired);
            assert_eq!(class.is_some(), fraud, "{scenario:?}");
            assert!(Difficulty::Any.admits(*scenario));
        }
        assert!(Difficulty::Obvious.admits(Scenario::CounterfeitInkjet));
        assert!(!Difficulty::Obvious.admits(Scenario::MrzAlteredWhiteOnly));
        assert!(Difficulty::Subtle.admits(Scenario::PhotoSubstitutionClean));
        assert!(
            Difficulty::Subtle.admits(Scenario::Genuine),
            "genuine documents are in every class"
        );
    }

    #[test]
    fn names_round_trip() {
        for d in [Difficulty::Any, Difficulty::Obvious, Difficulty::Subtle] {
            assert_eq!(Difficulty::parse(d.as_str()), Some(d));
        }
        assert_eq!(Difficulty::parse("hard"), None);
    }
}
