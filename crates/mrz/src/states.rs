//! State names and UN M49 geographic regions for every issuer code tdverify
//! knows: country pickers type ahead by code and name, and anonymisation
//! generalises a nationality to its sub-region, then to its region.
//!
//! States carry their ISO 3166-1 English short name (without the formal
//! parenthetical part: "Bolivia", "Iran") and their M49 sub-region; the
//! codes of ICAO 9303 Part 3 that name no state and the fictional issuers are
//! in the table too, with the sub-region [`SubRegion::Other`] and the names of
//! [`NON_STATE_CODES`](crate::NON_STATE_CODES) and
//! [`FICTIONAL_ISSUERS`](crate::FICTIONAL_ISSUERS).

use std::sync::OnceLock;

use crate::codes::{FICTIONAL_ISSUERS, NON_STATE_CODES};

/// UN M49 region (continent level): the coarsest step of anonymisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// M49 002.
    Africa,
    /// M49 019 (North, Central and South America and the Caribbean).
    Americas,
    /// M49 142.
    Asia,
    /// M49 150.
    Europe,
    /// M49 009.
    Oceania,
    /// No M49 region: non-state codes, fictional issuers and Antarctica.
    Other,
}

impl Region {
    /// Every region, in M49 order with `Other` last (for pickers and reports).
    pub const ALL: [Region; 6] =
        [Region::Africa, Region::Americas, Region::Asia, Region::Europe, Region::Oceania, Region::Other];

    /// Stable snake_case identifier, the same as the serde form (`"africa"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Africa => "africa",
            Region::Americas => "americas",
            Region::Asia => "asia",
            Region::Europe => "europe",
            Region::Oceania => "oceania",
            Region::Other => "other",
        }
    }

    /// English M49 name for display (`"Africa"`).
    pub fn name(self) -> &'static str {
        match self {
            Region::Africa => "Africa",
            Region::Americas => "Americas",
            Region::Asia => "Asia",
            Region::Europe => "Europe",
            Region::Oceania => "Oceania",
            Region::Other => "Other",
        }
    }
}

/// UN M49 sub-region, the middle step of anonymisation: the M49 intermediate
/// region where M49 has one (Western Africa, Caribbean, South America, Channel
/// Islands…), else the sub-region (Northern Africa, Western Asia…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubRegion {
    /// M49 015.
    NorthernAfrica,
    /// M49 014 (intermediate region of Sub-Saharan Africa).
    EasternAfrica,
    /// M49 017 (intermediate region of Sub-Saharan Africa).
    MiddleAfrica,
    /// M49 018 (intermediate region of Sub-Saharan Africa).
    SouthernAfrica,
    /// M49 011 (intermediate region of Sub-Saharan Africa).
    WesternAfrica,
    /// M49 029 (intermediate region of Latin America and the Caribbean).
    Caribbean,
    /// M49 013 (intermediate region of Latin America and the Caribbean).
    CentralAmerica,
    /// M49 005 (intermediate region of Latin America and the Caribbean).
    SouthAmerica,
    /// M49 021.
    NorthernAmerica,
    /// M49 143.
    CentralAsia,
    /// M49 030.
    EasternAsia,
    /// M49 035.
    SouthEasternAsia,
    /// M49 034.
    SouthernAsia,
    /// M49 145.
    WesternAsia,
    /// M49 151.
    EasternEurope,
    /// M49 154, without the Channel Islands.
    NorthernEurope,
    /// M49 830 (intermediate region of Northern Europe: Guernsey, Jersey).
    ChannelIslands,
    /// M49 039.
    SouthernEurope,
    /// M49 155.
    WesternEurope,
    /// M49 053.
    AustraliaAndNewZealand,
    /// M49 054.
    Melanesia,
    /// M49 057.
    Micronesia,
    /// M49 061.
    Polynesia,
    /// No M49 sub-region: non-state codes, fictional issuers and Antarctica.
    Other,
}

impl SubRegion {
    /// Every sub-region, grouped by region in [`Region::ALL`] order.
    pub const ALL: [SubRegion; 24] = [
        SubRegion::NorthernAfrica,
        SubRegion::EasternAfrica,
        SubRegion::MiddleAfrica,
        SubRegion::SouthernAfrica,
        SubRegion::WesternAfrica,
        SubRegion::Caribbean,
        SubRegion::CentralAmerica,
        SubRegion::SouthAmerica,
        SubRegion::NorthernAmerica,
        SubRegion::CentralAsia,
        SubRegion::EasternAsia,
        SubRegion::SouthEasternAsia,
        SubRegion::SouthernAsia,
        SubRegion::WesternAsia,
        SubRegion::EasternEurope,
        SubRegion::NorthernEurope,
        SubRegion::ChannelIslands,
        SubRegion::SouthernEurope,
        SubRegion::WesternEurope,
        SubRegion::AustraliaAndNewZealand,
        SubRegion::Melanesia,
        SubRegion::Micronesia,
        SubRegion::Polynesia,
        SubRegion::Other,
    ];

    /// Stable snake_case identifier, the same as the serde form (`"western_africa"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubRegion::NorthernAfrica => "northern_africa",
            SubRegion::EasternAfrica => "eastern_africa",
            SubRegion::MiddleAfrica => "middle_africa",
            SubRegion::SouthernAfrica => "southern_africa",
            SubRegion::WesternAfrica => "western_africa",
            SubRegion::Caribbean => "caribbean",
            SubRegion::CentralAmerica => "central_america",
            SubRegion::SouthAmerica => "south_america",
            SubRegion::NorthernAmerica => "northern_america",
            SubRegion::CentralAsia => "central_asia",
            SubRegion::EasternAsia => "eastern_asia",
            SubRegion::SouthEasternAsia => "south_eastern_asia",
            SubRegion::SouthernAsia => "southern_asia",
            SubRegion::WesternAsia => "western_asia",
            SubRegion::EasternEurope => "eastern_europe",
            SubRegion::NorthernEurope => "northern_europe",
            SubRegion::ChannelIslands => "channel_islands",
            SubRegion::SouthernEurope => "southern_europe",
            SubRegion::WesternEurope => "western_europe",
            SubRegion::AustraliaAndNewZealand => "australia_and_new_zealand",
            SubRegion::Melanesia => "melanesia",
            SubRegion::Micronesia => "micronesia",
            SubRegion::Polynesia => "polynesia",
            SubRegion::Other => "other",
        }
    }

    /// English M49 name for display (`"Western Africa"`).
    pub fn name(self) -> &'static str {
        match self {
            SubRegion::NorthernAfrica => "Northern Africa",
            SubRegion::EasternAfrica => "Eastern Africa",
            SubRegion::MiddleAfrica => "Middle Africa",
            SubRegion::SouthernAfrica => "Southern Africa",
            SubRegion::WesternAfrica => "Western Africa",
            SubRegion::Caribbean => "Caribbean",
            SubRegion::CentralAmerica => "Central America",
            SubRegion::SouthAmerica => "South America",
            SubRegion::NorthernAmerica => "Northern America",
            SubRegion::CentralAsia => "Central Asia",
            SubRegion::EasternAsia => "Eastern Asia",
            SubRegion::SouthEasternAsia => "South-eastern Asia",
            SubRegion::SouthernAsia => "Southern Asia",
            SubRegion::WesternAsia => "Western Asia",
            SubRegion::EasternEurope => "Eastern Europe",
            SubRegion::NorthernEurope => "Northern Europe",
            SubRegion::ChannelIslands => "Channel Islands",
            SubRegion::SouthernEurope => "Southern Europe",
            SubRegion::WesternEurope => "Western Europe",
            SubRegion::AustraliaAndNewZealand => "Australia and New Zealand",
            SubRegion::Melanesia => "Melanesia",
            SubRegion::Micronesia => "Micronesia",
            SubRegion::Polynesia => "Polynesia",
            SubRegion::Other => "Other",
        }
    }

    /// The region one anonymisation step above this sub-region.
    pub fn region(self) -> Region {
        match self {
            SubRegion::NorthernAfrica
            | SubRegion::EasternAfrica
            | SubRegion::MiddleAfrica
            | SubRegion::SouthernAfrica
            | SubRegion::WesternAfrica => Region::Africa,
            SubRegion::Caribbean | SubRegion::CentralAmerica | SubRegion::SouthAmerica | SubRegion::NorthernAmerica => {
                Region::Americas
            }
            SubRegion::CentralAsia
            | SubRegion::EasternAsia
            | SubRegion::SouthEasternAsia
            | SubRegion::SouthernAsia
            | SubRegion::WesternAsia => Region::Asia,
            SubRegion::EasternEurope
            | SubRegion::NorthernEurope
            | SubRegion::ChannelIslands
            | SubRegion::SouthernEurope
            | SubRegion::WesternEurope => Region::Europe,
            SubRegion::AustraliaAndNewZealand | SubRegion::Melanesia | SubRegion::Micronesia | SubRegion::Polynesia => {
                Region::Oceania
            }
            SubRegion::Other => Region::Other,
        }
    }
}

/// One issuer code with its English name and M49 sub-region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct StateInfo {
    /// The code as printed without fillers (`FRA`, `D`, `XXA`, `UTO`).
    pub code: &'static str,
    /// English short name (ISO 3166-1 for states; the meaning for non-state codes).
    pub name: &'static str,
    /// M49 sub-region; [`SubRegion::Other`] for non-states, fictional issuers and Antarctica.
    pub sub_region: SubRegion,
}

impl StateInfo {
    /// The M49 region of [`Self::sub_region`].
    pub fn region(&self) -> Region {
        self.sub_region.region()
    }
}

const fn state(code: &'static str, name: &'static str, sub_region: SubRegion) -> StateInfo {
    StateInfo { code, name, sub_region }
}

use SubRegion as S;

/// Every code of `codes::STATE_CODES`, sorted by code. Names are ISO 3166-1
/// English short names; a parenthetical is kept only where it tells two
/// entries apart (Saint Martin, Virgin Islands).
const STATES: &[StateInfo] = &[
    state("ABW", "Aruba", S::Caribbean),
    state("AFG", "Afghanistan", S::SouthernAsia),
    state("AGO", "Angola", S::MiddleAfrica),
    state("AIA", "Anguilla", S::Caribbean),
    state("ALA", "Åland Islands", S::NorthernEurope),
    state("ALB", "Albania", S::SouthernEurope),
    state("AND", "Andorra", S::SouthernEurope),
    state("ARE", "United Arab Emirates", S::WesternAsia),
    state("ARG", "Argentina", S::SouthAmerica),
    state("ARM", "Armenia", S::WesternAsia),
    state("ASM", "American Samoa", S::Polynesia),
    state("ATA", "Antarctica", S::Other),
    state("ATF", "French Southern Territories", S::EasternAfrica),
    state("ATG", "Antigua and Barbuda", S::Caribbean),
    state("AUS", "Australia", S::AustraliaAndNewZealand),
    state("AUT", "Austria", S::WesternEurope),
    state("AZE", "Azerbaijan", S::WesternAsia),
    state("BDI", "Burundi", S::EasternAfrica),
    state("BEL", "Belgium", S::WesternEurope),
    state("BEN", "Benin", S::WesternAfrica),
    state("BES", "Bonaire, Sint Eustatius and Saba", S::Caribbean),
    state("BFA", "Burkina Faso", S::WesternAfrica),
    state("BGD", "Bangladesh", S::SouthernAsia),
    state("BGR", "Bulgaria", S::EasternEurope),
    state("BHR", "Bahrain", S::WesternAsia),
    state("BHS", "Bahamas", S::Caribbean),
    state("BIH", "Bosnia and Herzegovina", S::SouthernEurope),
    state("BLM", "Saint Barthélemy", S::Caribbean),
    state("BLR", "Belarus", S::EasternEurope),
    state("BLZ", "Belize", S::CentralAmerica),
    state("BMU", "Bermuda", S::NorthernAmerica),
    state("BOL", "Bolivia", S::SouthAmerica),
    state("BRA", "Brazil", S::SouthAmerica),
    state("BRB", "Barbados", S::Caribbean),
    state("BRN", "Brunei Darussalam", S::SouthEasternAsia),
    state("BTN", "Bhutan", S::SouthernAsia),
    state("BVT", "Bouvet Island", S::SouthAmerica),
    state("BWA", "Botswana", S::SouthernAfrica),
    state("CAF", "Central African Republic", S::MiddleAfrica),
    state("CAN", "Canada", S::NorthernAmerica),
    state("CCK", "Cocos (Keeling) Islands", S::AustraliaAndNewZealand),
    state("CHE", "Switzerland", S::WesternEurope),
    state("CHL", "Chile", S::SouthAmerica),
    state("CHN", "China", S::EasternAsia),
    state("CIV", "Côte d'Ivoire", S::WesternAfrica),
    state("CMR", "Cameroon", S::MiddleAfrica),
    state("COD", "Congo, Democratic Republic of the", S::MiddleAfrica),
    state("COG", "Congo", S::MiddleAfrica),
    state("COK", "Cook Islands", S::Polynesia),
    state("COL", "Colombia", S::SouthAmerica),
    state("COM", "Comoros", S::EasternAfrica),
    state("CPV", "Cabo Verde", S::WesternAfrica),
    state("CRI", "Costa Rica", S::CentralAmerica),
    state("CUB", "Cuba", S::Caribbean),
    state("CUW", "Curaçao", S::Caribbean),
    state("CXR", "Christmas Island", S::AustraliaAndNewZealand),
    state("CYM", "Cayman Islands", S::Caribbean),
    state("CYP", "Cyprus", S::WesternAsia),
    state("CZE", "Czechia", S::EasternEurope),
    state("D", "Germany", S::WesternEurope),
    state("DEU", "Germany", S::WesternEurope),
    state("DJI", "Djibouti", S::EasternAfrica),
    state("DMA", "Dominica", S::Caribbean),
    state("DNK", "Denmark", S::NorthernEurope),
    state("DOM", "Dominican Republic", S::Caribbean),
    state("DZA", "Algeria", S::NorthernAfrica),
    state("ECU", "Ecuador", S::SouthAmerica),
    state("EGY", "Egypt", S::NorthernAfrica),
    state("ERI", "Eritrea", S::EasternAfrica),
    state("ESH", "Western Sahara", S::NorthernAfrica),
    state("ESP", "Spain", S::SouthernEurope),
    state("EST", "Estonia", S::NorthernEurope),
    state("ETH", "Ethiopia", S::EasternAfrica),
    state("FIN", "Finland", S::NorthernEurope),
    state("FJI", "Fiji", S::Melanesia),
    state("FLK", "Falkland Islands", S::SouthAmerica),
    state("FRA", "France", S::WesternEurope),
    state("FRO", "Faroe Islands", S::NorthernEurope),
    state("FSM", "Micronesia", S::Micronesia),
    state("GAB", "Gabon", S::MiddleAfrica),
    state("GBR", "United Kingdom", S::NorthernEurope),
    state("GEO", "Georgia", S::WesternAsia),
    state("GGY", "Guernsey", S::ChannelIslands),
    state("GHA", "Ghana", S::WesternAfrica),
    state("GIB", "Gibraltar", S::SouthernEurope),
    state("GIN", "Guinea", S::WesternAfrica),
    state("GLP", "Guadeloupe", S::Caribbean),
    state("GMB", "Gambia", S::WesternAfrica),
    state("GNB", "Guinea-Bissau", S::WesternAfrica),
    state("GNQ", "Equatorial Guinea", S::MiddleAfrica),
    state("GRC", "Greece", S::SouthernEurope),
    state("GRD", "Grenada", S::Caribbean),
    state("GRL", "Greenland", S::NorthernAmerica),
    state("GTM", "Guatemala", S::CentralAmerica),
    state("GUF", "French Guiana", S::SouthAmerica),
    state("GUM", "Guam", S::Micronesia),
    state("GUY", "Guyana", S::SouthAmerica),
    state("HKG", "Hong Kong", S::EasternAsia),
    state("HMD", "Heard Island and McDonald Islands", S::AustraliaAndNewZealand),
    state("HND", "Honduras", S::CentralAmerica),
    state("HRV", "Croatia", S::SouthernEurope),
    state("HTI", "Haiti", S::Caribbean),
    state("HUN", "Hungary", S::EasternEurope),
    state("IDN", "Indonesia", S::SouthEasternAsia),
    state("IMN", "Isle of Man", S::NorthernEurope),
    state("IND", "India", S::SouthernAsia),
    state("IOT", "British Indian Ocean Territory", S::EasternAfrica),
    state("IRL", "Ireland", S::NorthernEurope),
    state("IRN", "Iran", S::SouthernAsia),
    state("IRQ", "Iraq", S::WesternAsia),
    state("ISL", "Iceland", S::NorthernEurope),
    state("ISR", "Israel", S::WesternAsia),
    state("ITA", "Italy", S::SouthernEurope),
    state("JAM", "Jamaica", S::Caribbean),
    state("JEY", "Jersey", S::ChannelIslands),
    state("JOR", "Jordan", S::WesternAsia),
    state("JPN", "Japan", S::EasternAsia),
    state("KAZ", "Kazakhstan", S::CentralAsia),
    state("KEN", "Kenya", S::EasternAfrica),
    state("KGZ", "Kyrgyzstan", S::CentralAsia),
    state("KHM", "Cambodia", S::SouthEasternAsia),
    state("KIR", "Kiribati", S::Micronesia),
    state("KNA", "Saint Kitts and Nevis", S::Caribbean),
    state("KOR", "Korea, Republic of", S::EasternAsia),
    state("KWT", "Kuwait", S::WesternAsia),
    state("LAO", "Lao People's Democratic Republic", S::SouthEasternAsia),
    state("LBN", "Lebanon", S::WesternAsia),
    state("LBR", "Liberia", S::WesternAfrica),
    state("LBY", "Libya", S::NorthernAfrica),
    state("LCA", "Saint Lucia", S::Caribbean),
    state("LIE", "Liechtenstein", S::WesternEurope),
    state("LKA", "Sri Lanka", S::SouthernAsia),
    state("LSO", "Lesotho", S::SouthernAfrica),
    state("LTU", "Lithuania", S::NorthernEurope),
    state("LUX", "Luxembourg", S::WesternEurope),
    state("LVA", "Latvia", S::NorthernEurope),
    state("MAC", "Macao", S::EasternAsia),
    state("MAF", "Saint Martin (French part)", S::Caribbean),
    state("MAR", "Morocco", S::NorthernAfrica),
    state("MCO", "Monaco", S::WesternEurope),
    state("MDA", "Moldova", S::EasternEurope),
    state("MDG", "Madagascar", S::EasternAfrica),
    state("MDV", "Maldives", S::SouthernAsia),
    state("MEX", "Mexico", S::CentralAmerica),
    state("MHL", "Marshall Islands", S::Micronesia),
    state("MKD", "North Macedonia", S::SouthernEurope),
    state("MLI", "Mali", S::WesternAfrica),
    state("MLT", "Malta", S::SouthernEurope),
    state("MMR", "Myanmar", S::SouthEasternAsia),
    state("MNE", "Montenegro", S::SouthernEurope),
    state("MNG", "Mongolia", S::EasternAsia),
    state("MNP", "Northern Mariana Islands", S::Micronesia),
    state("MOZ", "Mozambique", S::EasternAfrica),
    state("MRT", "Mauritania", S::WesternAfrica),
    state("MSR", "Montserrat", S::Caribbean),
    state("MTQ", "Martinique", S::Caribbean),
    state("MUS", "Mauritius", S::EasternAfrica),
    state("MWI", "Malawi", S::EasternAfrica),
    state("MYS", "Malaysia", S::SouthEasternAsia),
    state("MYT", "Mayotte", S::EasternAfrica),
    state("NAM", "Namibia", S::SouthernAfrica),
    state("NCL", "New Caledonia", S::Melanesia),
    state("NER", "Niger", S::WesternAfrica),
    state("NFK", "Norfolk Island", S::AustraliaAndNewZealand),
    state("NGA", "Nigeria", S::WesternAfrica),
    state("NIC", "Nicaragua", S::CentralAmerica),
    state("NIU", "Niue", S::Polynesia),
    state("NLD", "Netherlands", S::WesternEurope),
    state("NOR", "Norway", S::NorthernEurope),
    state("NPL", "Nepal", S::SouthernAsia),
    state("NRU", "Nauru", S::Micronesia),
    state("NZL", "New Zealand", S::AustraliaAndNewZealand),
    state("OMN", "Oman", S::WesternAsia),
    state("PAK", "Pakistan", S::SouthernAsia),
    state("PAN", "Panama", S::CentralAmerica),
    state("PCN", "Pitcairn", S::Polynesia),
    state("PER", "Peru", S::SouthAmerica),
    state("PHL", "Philippines", S::SouthEasternAsia),
    state("PLW", "Palau", S::Micronesia),
    state("PNG", "Papua New Guinea", S::Melanesia),
    state("POL", "Poland", S::EasternEurope),
    state("PRI", "Puerto Rico", S::Caribbean),
    state("PRK", "Korea, Democratic People's Republic of", S::EasternAsia),
    state("PRT", "Portugal", S::SouthernEurope),
    state("PRY", "Paraguay", S::SouthAmerica),
    state("PSE", "Palestine, State of", S::WesternAsia),
    state("PYF", "French Polynesia", S::Polynesia),
    state("QAT", "Qatar", S::WesternAsia),
    state("REU", "Réunion", S::EasternAfrica),
    // Kosovo: not in ISO 3166-1 nor listed by M49; its region is Southern Europe.
    state("RKS", "Kosovo", S::SouthernEurope),
    state("ROU", "Romania", S::EasternEurope),
    state("RUS", "Russian Federation", S::EasternEurope),
    state("RWA", "Rwanda", S::EasternAfrica),
    state("SAU", "Saudi Arabia", S::WesternAsia),
    state("SDN", "Sudan", S::NorthernAfrica),
    state("SEN", "Senegal", S::WesternAfrica),
    state("SGP", "Singapore", S::SouthEasternAsia),
    state("SGS", "South Georgia and the South Sandwich Islands", S::SouthAmerica),
    state("SHN", "Saint Helena, Ascension and Tristan da Cunha", S::WesternAfrica),
    state("SJM", "Svalbard and Jan Mayen", S::NorthernEurope),
    state("SLB", "Solomon Islands", S::Melanesia),
    state("SLE", "Sierra Leone", S::WesternAfrica),
    state("SLV", "El Salvador", S::CentralAmerica),
    state("SMR", "San Marino", S::SouthernEurope),
    state("SOM", "Somalia", S::EasternAfrica),
    state("SPM", "Saint Pierre and Miquelon", S::NorthernAmerica),
    state("SRB", "Serbia", S::SouthernEurope),
    state("SSD", "South Sudan", S::EasternAfrica),
    state("STP", "Sao Tome and Principe", S::MiddleAfrica),
    state("SUR", "Suriname", S::SouthAmerica),
    state("SVK", "Slovakia", S::EasternEurope),
    state("SVN", "Slovenia", S::SouthernEurope),
    state("SWE", "Sweden", S::NorthernEurope),
    state("SWZ", "Eswatini", S::SouthernAfrica),
    state("SXM", "Sint Maarten (Dutch part)", S::Caribbean),
    state("SYC", "Seychelles", S::EasternAfrica),
    state("SYR", "Syrian Arab Republic", S::WesternAsia),
    state("TCA", "Turks and Caicos Islands", S::Caribbean),
    state("TCD", "Chad", S::MiddleAfrica),
    state("TGO", "Togo", S::WesternAfrica),
    state("THA", "Thailand", S::SouthEasternAsia),
    state("TJK", "Tajikistan", S::CentralAsia),
    state("TKL", "Tokelau", S::Polynesia),
    state("TKM", "Turkmenistan", S::CentralAsia),
    state("TLS", "Timor-Leste", S::SouthEasternAsia),
    state("TON", "Tonga", S::Polynesia),
    state("TTO", "Trinidad and Tobago", S::Caribbean),
    state("TUN", "Tunisia", S::NorthernAfrica),
    state("TUR", "Türkiye", S::WesternAsia),
    state("TUV", "Tuvalu", S::Polynesia),
    // Taiwan: M49 does not list it separately; it lies in Eastern Asia.
    state("TWN", "Taiwan", S::EasternAsia),
    state("TZA", "Tanzania", S::EasternAfrica),
    state("UGA", "Uganda", S::EasternAfrica),
    state("UKR", "Ukraine", S::EasternEurope),
    state("UMI", "United States Minor Outlying Islands", S::Micronesia),
    state("URY", "Uruguay", S::SouthAmerica),
    state("USA", "United States of America", S::NorthernAmerica),
    state("UZB", "Uzbekistan", S::CentralAsia),
    state("VAT", "Holy See", S::SouthernEurope),
    state("VCT", "Saint Vincent and the Grenadines", S::Caribbean),
    state("VEN", "Venezuela", S::SouthAmerica),
    state("VGB", "Virgin Islands (British)", S::Caribbean),
    state("VIR", "Virgin Islands (U.S.)", S::Caribbean),
    state("VNM", "Viet Nam", S::SouthEasternAsia),
    state("VUT", "Vanuatu", S::Melanesia),
    state("WLF", "Wallis and Futuna", S::Polynesia),
    state("WSM", "Samoa", S::Polynesia),
    state("YEM", "Yemen", S::WesternAsia),
    state("ZAF", "South Africa", S::SouthernAfrica),
    state("ZMB", "Zambia", S::EasternAfrica),
    state("ZWE", "Zimbabwe", S::EasternAfrica),
];

/// [`STATES`] with the non-state codes and fictional issuers of `codes.rs`
/// (names taken from there, not repeated here), sorted by code.
fn table() -> &'static [StateInfo] {
    static TABLE: OnceLock<Vec<StateInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let others = NON_STATE_CODES.iter().chain(FICTIONAL_ISSUERS.iter());
        let mut table: Vec<StateInfo> = STATES.to_vec();
        table.extend(others.map(|&(code, name)| state(code, name, SubRegion::Other)));
        table.sort_by(|a, b| a.code.cmp(b.code));
        table
    })
}

/// Every state, non-state code and fictional issuer, sorted by code (the
/// alias `D` for Germany is listed beside `DEU`). Run-time registered issuers
/// are not included.
pub fn all_states() -> &'static [StateInfo] {
    table()
}

/// The entry of an exact code, case-insensitive, as printed or not (`"D<<"`,
/// `"d"` and `"DEU"` all find Germany); `None` for unknown codes.
pub fn state_info(code: &str) -> Option<&'static StateInfo> {
    let code = code.trim().trim_end_matches('<').to_ascii_uppercase();
    let table = table();
    table.binary_search_by(|info| info.code.cmp(code.as_str())).ok().map(|index| &table[index])
}

/// Type-ahead for country pickers, at most `limit` entries: the exact code
/// first, then codes starting with the query (by code, so `fr` offers FRA
/// before FRO), then names starting with it, then names containing it (both
/// by name). Case-insensitive; accents are ignored on both sides (`aland`
/// finds Åland Islands). An empty query finds nothing.
pub fn search_states(query: &str, limit: usize) -> Vec<&'static StateInfo> {
    let query = query.trim();
    if query.is_empty() || limit == 0 {
        return Vec::new();
    }
    let code_query = query.trim_end_matches('<').to_ascii_uppercase();
    let name_query = fold(query);
    let mut hits: Vec<(u8, String, &'static StateInfo)> = table()
        .iter()
        .filter_map(|info| {
            if !code_query.is_empty() && info.code == code_query {
                return Some((0, String::new(), info));
            }
            if !code_query.is_empty() && info.code.starts_with(code_query.as_str()) {
                return Some((1, info.code.to_string(), info));
            }
            let name = fold(info.name);
            if name.starts_with(name_query.as_str()) {
                Some((2, name, info))
            } else if name.contains(name_query.as_str()) {
                Some((3, name, info))
            } else {
                None
            }
        })
        .collect();
    hits.sort_by(|a, b| (a.0, &a.1, a.2.code).cmp(&(b.0, &b.1, b.2.code)));
    hits.into_iter().take(limit).map(|(_, _, info)| info).collect()
}

/// Lower case without the accents of the Latin letters in the names, so that
/// a query typed on any keyboard matches.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à'..='å' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '’' => '\'',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::STATE_CODES;

    fn sub_region(code: &str) -> SubRegion {
        state_info(code).unwrap_or_else(|| panic!("{code} missing")).sub_region
    }

    #[test]
    fn every_state_code_has_a_region() {
        for code in STATE_CODES {
            let info = state_info(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(info.code, *code);
            assert!(!info.name.is_empty());
            // Antarctica is the one state code M49 gives no region.
            if *code != "ATA" {
                assert_ne!(info.sub_region, SubRegion::Other, "{code}");
            }
        }
        assert_eq!(sub_region("ATA"), SubRegion::Other);
        assert_eq!(STATES.len(), STATE_CODES.len(), "no state outside codes::STATE_CODES");
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        assert!(STATES.windows(2).all(|w| w[0].code < w[1].code), "STATES in code order");
        assert!(all_states().windows(2).all(|w| w[0].code < w[1].code), "no code twice");
        let expected = STATE_CODES.len() + NON_STATE_CODES.len() + FICTIONAL_ISSUERS.len();
        assert_eq!(all_states().len(), expected);
    }

    #[test]
    fn non_state_and_fictional_codes_are_other() {
        for (code, meaning) in NON_STATE_CODES.iter().chain(FICTIONAL_ISSUERS.iter()) {
            let info = state_info(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(info.sub_region, SubRegion::Other, "{code}");
            assert_eq!(info.region(), Region::Other);
            assert_eq!(info.name, *meaning);
        }
    }

    #[test]
    fn spot_facts() {
        assert_eq!(sub_region("SDN"), SubRegion::NorthernAfrica);
        assert_eq!(sub_region("SDN").region(), Region::Africa);
        assert_eq!(sub_region("MEX"), SubRegion::CentralAmerica);
        assert_eq!(sub_region("MEX").region(), Region::Americas);
        assert_eq!(sub_region("TUR"), SubRegion::WesternAsia);
        assert_eq!(sub_region("CYP"), SubRegion::WesternAsia);
        assert_eq!(sub_region("RUS"), SubRegion::EasternEurope);
        assert_eq!(sub_region("KAZ"), SubRegion::CentralAsia);
        assert_eq!(sub_region("IRN"), SubRegion::SouthernAsia);
        assert_eq!(sub_region("GRL"), SubRegion::NorthernAmerica);
        assert_eq!(sub_region("GUF"), SubRegion::SouthAmerica);
        assert_eq!(sub_region("REU"), SubRegion::EasternAfrica);
        assert_eq!(sub_region("TWN"), SubRegion::EasternAsia);
        assert_eq!(sub_region("RKS"), SubRegion::SouthernEurope);
        assert_eq!(sub_region("JEY").region(), Region::Europe);
        let germany = state_info("D<<").unwrap();
        assert_eq!((germany.code, germany.name), ("D", "Germany"));
        assert_eq!(germany.sub_region, SubRegion::WesternEurope);
        assert_eq!(state_info("deu").unwrap().name, "Germany");
        assert_eq!(state_info("d").unwrap().code, "D");
        assert_eq!(state_info("QQQ"), None);
        assert_eq!(state_info(""), None);
    }

    /// Sizes of the M49 groups (December 2021 list) for the codes here,
    /// without `D` (alias), `RKS` and `TWN` (not listed by M49): a typo in
    /// the table shows up as a wrong count.
    #[test]
    fn sub_region_sizes_match_m49() {
        let expected = [
            (SubRegion::NorthernAfrica, 7),
            (SubRegion::EasternAfrica, 22),
            (SubRegion::MiddleAfrica, 9),
            (SubRegion::SouthernAfrica, 5),
            (SubRegion::WesternAfrica, 17),
            (SubRegion::Caribbean, 28),
            (SubRegion::CentralAmerica, 8),
            (SubRegion::SouthAmerica, 16),
            (SubRegion::NorthernAmerica, 5),
            (SubRegion::CentralAsia, 5),
            (SubRegion::EasternAsia, 7),
            (SubRegion::SouthEasternAsia, 11),
            (SubRegion::SouthernAsia, 9),
            (SubRegion::WesternAsia, 18),
            (SubRegion::EasternEurope, 10),
            (SubRegion::NorthernEurope, 14),
            (SubRegion::ChannelIslands, 2),
            (SubRegion::SouthernEurope, 16),
            (SubRegion::WesternEurope, 9),
            (SubRegion::AustraliaAndNewZealand, 6),
            (SubRegion::Melanesia, 5),
            (SubRegion::Micronesia, 8),
            (SubRegion::Polynesia, 10),
        ];
        assert_eq!(expected.len() + 1, SubRegion::ALL.len());
        for (sub, count) in expected {
            let found = STATES
                .iter()
                .filter(|info| info.sub_region == sub && !matches!(info.code, "D" | "RKS" | "TWN"))
                .count();
            assert_eq!(found, count, "{}", sub.name());
        }
    }

    #[test]
    fn identifiers_are_stable_and_match_serde() {
        for region in Region::ALL {
            assert_eq!(serde_json::to_string(&region).unwrap(), format!("\"{}\"", region.as_str()));
        }
        for sub in SubRegion::ALL {
            assert_eq!(serde_json::to_string(&sub).unwrap(), format!("\"{}\"", sub.as_str()));
            assert!(Region::ALL.contains(&sub.region()));
        }
        assert_eq!(SubRegion::SouthEasternAsia.as_str(), "south_eastern_asia");
        assert_eq!(Region::Africa.name(), "Africa");
        let parsed: SubRegion = serde_json::from_str("\"western_africa\"").unwrap();
        assert_eq!(parsed, SubRegion::WesternAfrica);
    }

    #[test]
    fn search_by_code_then_name() {
        let hits = search_states("fr", 10);
        let codes: Vec<&str> = hits.iter().map(|info| info.code).collect();
        assert_eq!(&codes[..2], ["FRA", "FRO"], "code prefix first, FRA before FRO: {codes:?}");
        // Then the names starting with "Fr" (France is already listed), then substrings (Africa…).
        assert_eq!(&codes[2..5], ["GUF", "PYF", "ATF"], "French Guiana, Polynesia, Southern Territories");
        assert!(hits[5..].iter().all(|info| !info.name.starts_with("Fr")), "{codes:?}");

        let exact = search_states("can", 5);
        assert_eq!(exact[0].code, "CAN");

        let germany = search_states("germ", 5);
        assert!(!germany.is_empty() && germany.iter().all(|info| info.name == "Germany"));
        assert!(germany.iter().any(|info| info.code == "D") && germany.iter().any(|info| info.code == "DEU"));

        assert_eq!(search_states("aland", 5)[0].code, "ALA");
        assert_eq!(search_states("RÉUNION", 5)[0].code, "REU");
        assert!(search_states("guinea", 10).iter().any(|info| info.code == "PNG"), "substring match");
        assert_eq!(search_states("a", 3).len(), 3);
    }

    #[test]
    fn search_edge_cases() {
        assert!(search_states("", 5).is_empty());
        assert!(search_states("   ", 5).is_empty());
        assert!(search_states("fr", 0).is_empty());
        for query in ["ß", "İstanbul", "日本", "🇫🇷", "\u{0301}", "<<<", "Å", "\0", "ǅ"] {
            let _ = search_states(query, 10);
            let _ = state_info(query);
        }
    }
}
