use serde::{Deserialize, Serialize};

/// Fraud classification, after the INTERPOL / EU (FADO) taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FraudType {
    /// Entire document reproduced without authority.
    Counterfeit,
    /// Genuine document whose content was altered.
    Forged,
    /// Document of an issuer or type that does not exist or is not recognised.
    Pseudo,
    /// Genuine document obtained by deception (false breeder documents, bribery).
    FraudulentlyObtained,
    /// Genuine document used by someone other than its holder.
    Impostor,
    /// Genuine blank document stolen before personalisation and filled in.
    StolenBlank,
    /// No fraud found.
    NoFraud,
    /// Not decided (more examination needed).
    Undetermined,
}

impl FraudType {
    /// All variants in display order.
    pub const ALL: [FraudType; 8] = [
        FraudType::NoFraud,
        FraudType::Counterfeit,
        FraudType::Forged,
        FraudType::Pseudo,
        FraudType::FraudulentlyObtained,
        FraudType::Impostor,
        FraudType::StolenBlank,
        FraudType::Undetermined,
    ];

    /// Stable snake_case name used in JSON, exports and translations.
    pub fn as_str(self) -> &'static str {
        match self {
            FraudType::Counterfeit => "counterfeit",
            FraudType::Forged => "forged",
            FraudType::Pseudo => "pseudo",
            FraudType::FraudulentlyObtained => "fraudulently_obtained",
            FraudType::Impostor => "impostor",
            FraudType::StolenBlank => "stolen_blank",
            FraudType::NoFraud => "no_fraud",
            FraudType::Undetermined => "undetermined",
        }
    }
}

/// How a genuine document was altered (for `FraudType::Forged` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForgeryMethod {
    /// The holder's photo was replaced.
    PhotoSubstitution,
    /// Printed personal data (VIZ) was altered.
    DataAlteration,
    /// A whole page was replaced.
    PageSubstitution,
    /// The machine readable zone was altered.
    MrzAlteration,
    /// The chip was altered, replaced or cloned.
    ChipTampering,
    /// Laminate or security film was lifted and re-applied.
    LaminateTampering,
    /// Other or unknown method.
    Other,
}

impl ForgeryMethod {
    /// All variants in display order.
    pub const ALL: [ForgeryMethod; 7] = [
        ForgeryMethod::PhotoSubstitution,
        ForgeryMethod::DataAlteration,
        ForgeryMethod::PageSubstitution,
        ForgeryMethod::MrzAlteration,
        ForgeryMethod::ChipTampering,
        ForgeryMethod::LaminateTampering,
        ForgeryMethod::Other,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForgeryMethod::PhotoSubstitution => "photo_substitution",
            ForgeryMethod::DataAlteration => "data_alteration",
            ForgeryMethod::PageSubstitution => "page_substitution",
            ForgeryMethod::MrzAlteration => "mrz_alteration",
            ForgeryMethod::ChipTampering => "chip_tampering",
            ForgeryMethod::LaminateTampering => "laminate_tampering",
            ForgeryMethod::Other => "other",
        }
    }
}

/// The overall verdict proposed by tdverify or given by the officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed.
    Genuine,
    /// Something needs an officer's eye; no proof of fraud.
    Review,
    /// At least one check shows fraud.
    Fraudulent,
    /// Not enough could be checked to say anything.
    Inconclusive,
    /// Proposed only: a check could not run because of the capture (glare over
    /// the MRZ, blur); capture again before concluding. Officers record one of
    /// the four verdicts above.
    Recapture,
}

impl Verdict {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Genuine => "genuine",
            Verdict::Review => "review",
            Verdict::Fraudulent => "fraudulent",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Recapture => "recapture",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for f in FraudType::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        for m in ForgeryMethod::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
    }
}
