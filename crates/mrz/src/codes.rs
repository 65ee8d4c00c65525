//! Code tables: document codes and the three-letter codes of states and
//! organisations (ICAO 9303 Part 3, section 5), plus the fictional issuers of
//! tdverify's reference library and any issuer registered at run time.

use std::sync::{OnceLock, RwLock};

use crate::MrzFormat;

/// What kind of issuer a three-letter code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerKind {
    /// A state or territory (ISO 3166-1 alpha-3 as used by ICAO, and Germany's `D`).
    State,
    /// A code ICAO 9303 Part 3 reserves for organisations, British nationality
    /// categories, refugees and stateless persons (GBD, UNO, XXA…).
    NonState,
    /// A fictional specimen issuer of the reference library (UTO, ZZA…).
    Fictional,
    /// Added at run time by [`register_issuer`] (an imported reference library).
    Registered,
}

/// The fictional issuers that ship with tdverify's reference library and
/// fixtures: `UTO` (Utopia, the ICAO specimen state) and three invented ones.
/// They are accepted as known issuers, reported as fictional.
pub const FICTIONAL_ISSUERS: &[(&str, &str)] =
    &[("UTO", "Utopia"), ("ZZA", "Zembla"), ("ZZB", "Arcadia Federation"), ("ZZC", "Borduria")];

/// Codes of ICAO 9303 Part 3 that name no state, with their meaning.
pub const NON_STATE_CODES: &[(&str, &str)] = &[
    ("GBD", "British Overseas Territories Citizen"),
    ("GBN", "British National (Overseas)"),
    ("GBO", "British Overseas Citizen"),
    ("GBP", "British Protected Person"),
    ("GBS", "British Subject"),
    ("EUE", "European Union"),
    ("UNO", "United Nations Organization or one of its officials"),
    ("UNA", "United Nations specialized agency or one of its officials"),
    ("UNK", "Resident of Kosovo, travel document issued by UNMIK"),
    ("XBA", "African Development Bank"),
    ("XIM", "African Export-Import Bank"),
    ("XCC", "Caribbean Community"),
    ("XCO", "Common Market for Eastern and Southern Africa"),
    ("XEC", "Economic Community of West African States"),
    ("XES", "Organisation of Eastern Caribbean States"),
    ("XMP", "International Criminal Police Organization (INTERPOL)"),
    ("XOM", "Sovereign Military Order of Malta"),
    ("XPO", "INTERPOL (former code)"),
    ("XXA", "Stateless person (1954 Convention)"),
    ("XXB", "Refugee (1951 Convention)"),
    ("XXC", "Refugee (other than 1951 Convention)"),
    ("XXX", "Person of unspecified nationality"),
];

/// States and territories: ISO 3166-1 alpha-3 codes as ICAO uses them, plus
/// `D` (Germany, printed `D<<`) and `RKS` (Kosovo, used on its documents).
pub(crate) const STATE_CODES: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS", "AUT",
    "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL",
    "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG",
    "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "D", "DEU", "DJI", "DMA", "DNK",
    "DOM", "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB",
    "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM",
    "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR",
    "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR",
    "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT",
    "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN",
    "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "RKS", "ROU", "RUS",
    "RWA", "SAU", "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD",
    "STP", "SUR", "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM",
    "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT",
    "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
];

fn registry() -> &'static RwLock<Vec<(String, String)>> {
    static REGISTRY: OnceLock<RwLock<Vec<(String, String)>>> = OnceLock::new();
    REGISTRY.get_or_init(|| RwLock::new(Vec::new()))
}

/// Adds an issuer code at run time (e.g. from an imported reference library),
/// so that its documents do not fail `mrz.issuing_state.known`. The code is
/// given without fillers (`ZZD`); it must be 1–3 letters A–Z.
pub fn register_issuer(code: &str, name: &str) -> Result<(), crate::ComposeError> {
    if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(crate::ComposeError::InvalidCharacter { field: "issuer code", value: code.to_string() });
    }
    let mut list = match registry().write() {
        Ok(list) => list,
        Err(poisoned) => poisoned.into_inner(),
    };
    if !list.iter().any(|(known, _)| known == code) {
        list.push((code.to_string(), name.to_string()));
    }
    Ok(())
}

/// Classifies a three-letter code as printed (trailing fillers allowed:
/// `D<<`), or `None` when it is not a known code.
pub fn issuer_kind(printed_code: &str) -> Option<IssuerKind> {
    let code = printed_code.trim_end_matches('<');
    if FICTIONAL_ISSUERS.iter().any(|(known, _)| *known == code) {
        return Some(IssuerKind::Fictional);
    }
    if NON_STATE_CODES.iter().any(|(known, _)| *known == code) {
        return Some(IssuerKind::NonState);
    }
    if STATE_CODES.binary_search(&code).is_ok() {
        return Some(IssuerKind::State);
    }
    let list = match registry().read() {
        Ok(list) => list,
        Err(poisoned) => poisoned.into_inner(),
    };
    list.iter().any(|(known, _)| known == code).then_some(IssuerKind::Registered)
}

/// The name of a non-state, fictional or registered issuer (states are
/// identified by code only; the UI translates them).
pub fn issuer_name(printed_code: &str) -> Option<String> {
    let code = printed_code.trim_end_matches('<');
    let found = FICTIONAL_ISSUERS.iter().chain(NON_STATE_CODES.iter()).find(|(known, _)| *known == code);
    if let Some((_, name)) = found {
        return Some((*name).to_string());
    }
    let list = match registry().read() {
        Ok(list) => list,
        Err(poisoned) => poisoned.into_inner(),
    };
    list.iter().find(|(known, _)| known == code).map(|(_, name)| name.clone())
}

/// Whether a two-character document code is allowed in a layout:
/// TD3 `P`, TD1/TD2 `A`, `C` or `I`, visas `V` (ICAO 9303 Parts 4–7), each
/// followed by a letter or filler (or, on TD1/TD2, a digit); the French 1988 card `ID`.
pub fn document_code_allowed(format: MrzFormat, code: &str) -> bool {
    let mut chars = code.chars();
    let (Some(first), Some(second), None) = (chars.next(), chars.next(), chars.next()) else {
        return false;
    };
    // TD1/TD2: the issuer may also put a digit second (the US permanent
    // resident card prints `C1`); genuine cards must not fail on it.
    let second_ok = second.is_ascii_uppercase()
        || second == '<'
        || (second.is_ascii_digit() && matches!(format, MrzFormat::Td1 | MrzFormat::Td2));
    let first_ok = match format {
        MrzFormat::Td3 => first == 'P',
        MrzFormat::Td1 | MrzFormat::Td2 => matches!(first, 'A' | 'C' | 'I'),
        MrzFormat::MrvA | MrzFormat::MrvB => first == 'V',
        MrzFormat::FrenchId => return code == "ID",
    };
    first_ok && second_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table_is_sorted_for_binary_search() {
        assert!(STATE_CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn document_codes_follow_the_layout() {
        assert!(document_code_allowed(MrzFormat::Td3, "P<"));
        assert!(document_code_allowed(MrzFormat::Td3, "PM"));
        assert!(!document_code_allowed(MrzFormat::Td3, "P1"));
        assert!(document_code_allowed(MrzFormat::Td1, "C1"), "US permanent resident card");
        assert!(document_code_allowed(MrzFormat::Td1, "ID"));
        assert!(!document_code_allowed(MrzFormat::Td1, "ZD"));
        assert!(!document_code_allowed(MrzFormat::MrvA, "P<"));
    }

    #[test]
    fn classifies_codes() {
        assert_eq!(issuer_kind("FRA"), Some(IssuerKind::State));
        assert_eq!(issuer_kind("D<<"), Some(IssuerKind::State));
        assert_eq!(issuer_kind("XXA"), Some(IssuerKind::NonState));
        assert_eq!(issuer_kind("GBN"), Some(IssuerKind::NonState));
        assert_eq!(issuer_kind("UTO"), Some(IssuerKind::Fictional));
        assert_eq!(issuer_kind("ZZB"), Some(IssuerKind::Fictional));
        assert_eq!(issuer_name("ZZC").as_deref(), Some("Borduria"));
        assert_eq!(issuer_kind("QQQ"), None);
        assert_eq!(issuer_kind("<<<"), None);
    }

    #[test]
    fn registration_adds_a_code() {
        assert_eq!(issuer_kind("ZZQ"), None);
        register_issuer("ZZQ", "Test-only issuer").unwrap();
        assert_eq!(issuer_kind("ZZQ"), Some(IssuerKind::Registered));
        assert!(register_issuer("zz", "bad").is_err());
    }

    #[test]
    fn document_codes_per_layout() {
        assert!(document_code_allowed(MrzFormat::Td3, "P<"));
        assert!(document_code_allowed(MrzFormat::Td3, "PO"));
        assert!(!document_code_allowed(MrzFormat::Td3, "I<"));
        assert!(document_code_allowed(MrzFormat::Td1, "ID"));
        assert!(document_code_allowed(MrzFormat::Td2, "AC"));
        assert!(!document_code_allowed(MrzFormat::MrvA, "P<"));
        assert!(!document_code_allowed(MrzFormat::Td1, "I"));
    }
}
