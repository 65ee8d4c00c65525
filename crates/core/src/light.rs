use serde::{Deserialize, Serialize};

/// The illumination a capture was taken under.
///
/// Security features are defined per light (IR-absorbing MRZ, UV-dull paper…),
/// so every capture and every piece of evidence names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Visible white light.
    White,
    /// Ultraviolet (UV-A, 365 nm) light.
    Uv,
    /// Infrared light (around 870–950 nm).
    Ir,
    /// Coaxial white light, where a scanner has it (shows OVDs and laminate defects).
    Coaxial,
}

impl Light {
    /// All lights, in the order screens and reports show them.
    pub const ALL: [Light; 4] = [Light::White, Light::Uv, Light::Ir, Light::Coaxial];

    /// Stable lower-case name used in file names, JSON and check ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::White => "white",
            Light::Uv => "uv",
            Light::Ir => "ir",
            Light::Coaxial => "coaxial",
        }
    }

    /// Parses the stable name (also accepts `w` and `visible` for white).
    pub fn parse(name: &str) -> Option<Light> {
        match name.to_ascii_lowercase().as_str() {
            "white" | "w" | "visible" => Some(Light::White),
            "uv" => Some(Light::Uv),
            "ir" => Some(Light::Ir),
            "coaxial" => Some(Light::Coaxial),
            _ => None,
        }
    }
}

impl std::fmt::Display for Light {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for light in Light::ALL {
            assert_eq!(Light::parse(light.as_str()), Some(light));
        }
        assert_eq!(Light::parse("infrared"), None);
    }
}
