//! A practice session: which fixture documents (and face-matching pairs) a trainee sees,
//! with each item's ground truth, the settings the trainer chose, where the fixture set
//! came from (so another station regenerates the same images) and the signature of the
//! station that made it.
//!
//! Selection is deterministic: the same fixture set, request and seed give the same
//! session (same items, same order, same id). The signature covers
//! [`SIGNATURE_CONTEXT`] followed by the compact JSON of the session without its
//! `signature` field; the context keeps a session signature from ever passing for a
//! signature over something else the station signs (DESC manifests).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ring::signature::{ED25519, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use tdverify_core::{ForgeryMethod, FraudType, hex};
use tdverify_fixtures::capture::CaptureKind;
use tdverify_fixtures::{Expected, Truth};

use crate::difficulty::Difficulty;
use crate::error::TrainingError;

/// Value of the `format` field of every session file.
pub const SESSION_FORMAT: &str = "tdverify-training-session";
/// Version of the session format this program writes and reads.
pub const SESSION_VERSION: u32 = 1;
/// Bytes signed before the session's JSON (domain separation from other signatures
/// made with the same station key). The store prefixes the same bytes.
pub const SIGNATURE_CONTEXT: &[u8] = b"tdverify training session v1\n";
/// Most items a session may hold (documents, and face drills apart).
pub const MAX_ITEMS: usize = 10_000;

/// When the trainee sees the automatic checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDisplay {
    /// Never during the run: the trainee judges alone.
    #[default]
    Hidden,
    /// Once the trainee has answered the item.
    AfterAnswer,
    /// From the start, as in real work.
    Throughout,
}

impl CheckDisplay {
    /// Stable name (`hidden`, `after_answer`, `throughout`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckDisplay::Hidden => "hidden",
            CheckDisplay::AfterAnswer => "after_answer",
            CheckDisplay::Throughout => "throughout",
        }
    }

    /// Parses the stable name; `after-answer` is accepted as typed on a command line.
    pub fn parse(name: &str) -> Option<CheckDisplay> {
        match name.trim().replace('-', "_").as_str() {
            "hidden" => Some(CheckDisplay::Hidden),
            "after_answer" => Some(CheckDisplay::AfterAnswer),
            "throughout" => Some(CheckDisplay::Throughout),
            _ => None,
        }
    }
}

/// What the trainer asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRequest {
    /// A name shown to trainees and in the history (empty: one is made up).
    pub name: String,
    /// Number of documents.
    pub count: usize,
    /// Fraction of the documents that are fraudulent (truth `fraud_type` not `no_fraud`).
    pub prevalence: f64,
    /// Seed of the selection.
    pub seed: u64,
    /// Fraud types the fraudulent documents are drawn from (empty: any).
    pub fraud_types: Vec<FraudType>,
    /// Forgery methods a fraudulent document must show one of (empty: any).
    pub forgery_methods: Vec<ForgeryMethod>,
    /// Capture kinds of every document (empty: any): how hard the images are.
    pub captures: Vec<CaptureKind>,
    /// How hard the fraudulent documents' defects are to see (obvious, subtle, any).
    /// Left out of the file when `any`, so sessions signed before it existed still verify.
    #[serde(default, skip_serializing_if = "Difficulty::is_any")]
    pub difficulty: Difficulty,
    /// Seconds per document (`None`: no limit).
    pub time_limit_seconds: Option<u32>,
    /// When the automatic checks are shown.
    pub checks: CheckDisplay,
    /// Number of face-matching drills (document portrait vs bearer photo).
    pub face_drills: usize,
    /// Fraction of the drills whose two faces are different people.
    pub face_prevalence: f64,
}

impl SessionRequest {
    /// `count` documents at `prevalence`, everything else at its default.
    pub fn new(count: usize, prevalence: f64, seed: u64) -> SessionRequest {
        SessionRequest {
            name: String::new(),
            count,
            prevalence,
            seed,
            fraud_types: Vec::new(),
            forgery_methods: Vec::new(),
            captures: Vec::new(),
            difficulty: Difficulty::Any,
            time_limit_seconds: None,
            checks: CheckDisplay::Hidden,
            face_drills: 0,
            face_prevalence: 0.0,
        }
    }
}

/// Where the documents came from: enough to regenerate the same set elsewhere
/// (`cargo xtask fixtures --seed SEED --count COUNT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixtureSource {
    /// Seed of the fixture set.
    pub seed: u64,
    /// Generator name and version.
    pub generator: String,
    /// Documents in the set.
    pub count: usize,
    /// The set's "today".
    pub reference_date: String,
    /// Where the faces came from (`synthetic` or a folder name).
    pub face_source: String,
}

/// One side's images (white, UV, IR, and coaxial where the template declares coaxial
/// features), relative to the fixture folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideImages {
    /// Side name from the template (`data_page`, `front`, `back`…).
    pub name: String,
    /// Whether the MRZ is on this side.
    pub has_mrz: bool,
    /// White-light image.
    pub white: String,
    /// UV image.
    pub uv: String,
    /// IR image.
    pub ir: String,
    /// Coaxial-light image, so a trainee can mark laminate and OVD defects; absent on
    /// sides without coaxial features and in sessions built before (their signatures
    /// stay valid: nothing is written when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coaxial: Option<String>,
}

impl SideImages {
    /// The image of `light` (`white`, `uv`, `ir`, `coaxial`), relative to the fixture
    /// folder; `None` for a light the side has no image under.
    pub fn image(&self, light: &str) -> Option<&str> {
        match light {
            "white" => Some(&self.white),
            "uv" => Some(&self.uv),
            "ir" => Some(&self.ir),
            "coaxial" => self.coaxial.as_deref(),
            _ => None,
        }
    }
}

/// A place on one image where the fraud shows (the fixtures' ground truth).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectRegion {
    /// Side name.
    pub side: String,
    /// Light (`white`, `uv`, `ir`).
    pub light: String,
    /// Left edge, pixels of that side's image for that light.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// The check expected to fail there.
    #[serde(default)]
    pub check: Option<String>,
    /// A short description.
    #[serde(default)]
    pub what: Option<String>,
}

/// One document to judge, with its truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentItem {
    /// Fixture document id (its folder name).
    pub id: String,
    /// Fixture scenario (`genuine`, `viz_altered`…).
    pub scenario: String,
    /// Fraud type.
    pub fraud_type: FraudType,
    /// Forgery methods.
    pub forgery_methods: Vec<ForgeryMethod>,
    /// Expected outcome of each automatic check.
    pub expected_checks: BTreeMap<String, Expected>,
    /// Expected outcome of each chip check (empty without a chip).
    #[serde(default)]
    pub expected_chip_checks: BTreeMap<String, Expected>,
    /// The virtual chip's folder, relative to the fixture folder (`None`: no chip).
    #[serde(default)]
    pub chip: Option<String>,
    /// Capture device kind.
    pub capture: CaptureKind,
    /// Template the document was drawn from (`UTO/passport`).
    pub drawn_from: String,
    /// Images per side.
    pub sides: Vec<SideImages>,
    /// The bearer's live photo, relative to the fixture folder.
    pub bearer: String,
    /// Where the fraud shows (empty on genuine documents and older fixture sets).
    #[serde(default)]
    pub defect_regions: Vec<DefectRegion>,
}

impl DocumentItem {
    /// Whether the document is fraudulent (any fraud type but `no_fraud`).
    pub fn is_fraud(&self) -> bool {
        self.fraud_type != FraudType::NoFraud
    }

    /// Absolute path of the image of `side` under `light`, given the fixture folder.
    pub fn image_path(&self, fixtures_dir: &Path, side: &str, light: &str) -> Option<PathBuf> {
        let side = self.sides.iter().find(|s| s.name == side)?;
        side.image(light).map(|file| fixtures_dir.join(file))
    }

    /// Absolute path of the virtual chip folder, when the document has one.
    pub fn chip_path(&self, fixtures_dir: &Path) -> Option<PathBuf> {
        self.chip.as_ref().map(|dir| fixtures_dir.join(dir))
    }

    /// The check ids that would have caught the document: automatic and chip checks
    /// whose truth is `fail`.
    pub fn catching_checks(&self) -> Vec<String> {
        self.expected_checks
            .iter()
            .chain(self.expected_chip_checks.iter())
            .filter(|(_, expected)| **expected == Expected::Fail)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// A face-matching drill: is the person on the document the person in the photo?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceDrill {
    /// Drill id (`face-01`…), what answers name.
    pub id: String,
    /// The document whose portrait is shown.
    pub portrait_document: String,
    /// Its white-light image of the side with the portrait, relative to the fixture folder.
    pub portrait_image: String,
    /// The document whose bearer photo is shown.
    pub bearer_document: String,
    /// The bearer photo, relative to the fixture folder.
    pub bearer_image: String,
    /// Truth: both faces are the same person.
    pub same_person: bool,
}

impl FaceDrill {
    /// Absolute path of the portrait image.
    pub fn portrait_path(&self, fixtures_dir: &Path) -> PathBuf {
        fixtures_dir.join(&self.portrait_image)
    }

    /// Absolute path of the bearer photo.
    pub fn bearer_path(&self, fixtures_dir: &Path) -> PathBuf {
        fixtures_dir.join(&self.bearer_image)
    }
}

/// The Ed25519 signature of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// Hex of the 32-byte public key.
    pub public_key: String,
    /// Hex of the 64-byte signature.
    pub value: String,
}

/// A practice session as written to and read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Always [`SESSION_FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Content id: the same selection has the same id on every station.
    pub id: String,
    /// Name shown to trainees.
    pub name: String,
    /// Who made it (the trainer's user name), when known.
    #[serde(default)]
    pub author: Option<String>,
    /// The fixture set it was drawn from.
    pub fixtures: FixtureSource,
    /// The trainer's request.
    pub settings: SessionRequest,
    /// Documents in presentation order.
    pub documents: Vec<DocumentItem>,
    /// Face-matching drills in presentation order (after the documents).
    #[serde(default)]
    pub face_drills: Vec<FaceDrill>,
    /// The station's signature; `None` until signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SessionSignature>,
}

/// One item of a session, in presentation order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SessionItem<'a> {
    /// A document to judge genuine or fraudulent.
    Document(&'a DocumentItem),
    /// A pair of faces to judge same or different.
    FaceDrill(&'a FaceDrill),
}

impl SessionItem<'_> {
    /// The id answers name.
    pub fn id(&self) -> &str {
        match self {
            SessionItem::Document(document) => &document.id,
            SessionItem::FaceDrill(drill) => &drill.id,
        }
    }

    /// Whether the item is a "signal" in detection terms: a fraudulent document, or
    /// two different people.
    pub fn is_signal(&self) -> bool {
        match self {
            SessionItem::Document(document) => document.is_fraud(),
            SessionItem::FaceDrill(drill) => !drill.same_person,
        }
    }
}

/// One fixture document with what selection needs.
struct Candidate {
    truth: Truth,
    regions: Vec<DefectRegion>,
}

impl Session {
    /// Builds a session from the generated fixture set in `fixtures_dir`
    /// (`index.json` and each document's `truth.json`). Unsigned: sign it with
    /// [`Session::attach_signature`] over [`Session::signing_payload`].
    pub fn build(fixtures_dir: &Path, request: &SessionRequest) -> Result<Session, TrainingError> {
        validate_request(request)?;
        let index = tdverify_fixtures::load_index(fixtures_dir)?;
        let mut candidates = Vec::with_capacity(index.documents.len());
        for entry in &index.documents {
            candidates.push(read_candidate(&fixtures_dir.join(&entry.id))?);
        }
        let source = FixtureSource {
            seed: index.seed,
            generator: index.generator.clone(),
            count: index.count,
            reference_date: index.reference_date.clone(),
            face_source: index.face_source.clone(),
        };
        Session::build_from(source, &candidates, request)
    }

    fn build_from(
        source: FixtureSource,
        candidates: &[Candidate],
        request: &SessionRequest,
    ) -> Result<Session, TrainingError> {
        let mut rng = SplitMix64::new(request.seed);
        let captured = |c: &&Candidate| {
            request.captures.is_empty() || request.captures.contains(&c.truth.capture.kind)
        };
        let genuine: Vec<&Candidate> = candidates
            .iter()
            .filter(captured)
            .filter(|c| c.truth.fraud_type == FraudType::NoFraud)
            .collect();
        let fraudulent: Vec<&Candidate> = candidates
            .iter()
            .filter(captured)
            .filter(|c| c.truth.fraud_type != FraudType::NoFraud)
            .filter(|c| {
                request.fraud_types.is_empty() || request.fraud_types.contains(&c.truth.fraud_type)
            })
            .filter(|c| request.difficulty.admits(c.truth.scenario))
            .filter(|c| {
                request.forgery_methods.is_empty()
                    || c.truth
                        .forgery_methods
                        .iter()
                        .any(|m| request.forgery_methods.contains(m))
            })
            .collect();
        let fraud_wanted = (request.count as f64 * request.prevalence).round() as usize;
        let genuine_wanted = request.count - fraud_wanted.min(request.count);
        let filters = describe_filters(request);
        if fraudulent.len() < fraud_wanted {
            return Err(not_enough(
                "fraudulent documents",
                fraud_wanted,
                fraudulent.len(),
                &filters,
            ));
        }
        if genuine.len() < genuine_wanted {
            return Err(not_enough(
                "genuine documents",
                genuine_wanted,
                genuine.len(),
                &filters,
            ));
        }
        let mut chosen: Vec<&Candidate> = rng.choose(&fraudulent, fraud_wanted);
        chosen.extend(rng.choose(&genuine, genuine_wanted));
        rng.shuffle(&mut chosen);
        let documents: Vec<DocumentItem> = chosen.iter().map(|c| document_item(c)).collect();
        let face_drills = choose_face_drills(candidates, request, &mut rng)?;
        let name = if request.name.trim().is_empty() {
            format!(
                "{} documents, {}% fraud, seed {}",
                request.count,
                (request.prevalence * 100.0).round(),
                request.seed
            )
        } else {
            request.name.trim().to_string()
        };
        let mut session = Session {
            format: SESSION_FORMAT.to_string(),
            version: SESSION_VERSION,
            id: String::new(),
            name,
            author: None,
            fixtures: source,
            settings: request.clone(),
            documents,
            face_drills,
            signature: None,
        };
        session.id = session.content_id()?;
        Ok(session)
    }

    /// Hex prefix of the SHA-256 of what was chosen (source, settings, items): two
    /// stations building the same session get the same id, whatever its name.
    fn content_id(&self) -> Result<String, TrainingError> {
        let content = serde_json::to_vec(&(
            &self.fixtures,
            &self.settings,
            &self.documents,
            &self.face_drills,
        ))
        .map_err(|e| TrainingError::malformed("session", e))?;
        let digest = ring::digest::digest(&ring::digest::SHA256, &content);
        Ok(hex::encode(&digest.as_ref()[..8]))
    }

    /// Reads a session file: the JSON must parse and its format be known. The
    /// signature is not checked here: call [`Session::verify`] or
    /// [`Session::verify_signature`].
    pub fn load(path: &Path) -> Result<Session, TrainingError> {
        let bytes = std::fs::read(path).map_err(|e| TrainingError::io("read", path, e))?;
        Session::parse(&bytes).map_err(|e| match e {
            TrainingError::Malformed { reason, .. } => TrainingError::Malformed {
                what: format!("session file {}", path.display()),
                reason,
            },
            other => other,
        })
    }

    /// Parses session JSON (see [`Session::load`]).
    pub fn parse(bytes: &[u8]) -> Result<Session, TrainingError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TrainingError::malformed("session", e))?;
        // Format and version first, so a newer file is named as such rather than as
        // having unknown fields.
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(SESSION_FORMAT) {
            return Err(TrainingError::malformed(
                "session",
                format!("format is {format:?}, not {SESSION_FORMAT:?}"),
            ));
        }
        let version = value.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(SESSION_VERSION)) {
            return Err(TrainingError::malformed(
                "session",
                format!(
                    "version {} is not supported (this program reads version {SESSION_VERSION})",
                    version.map_or_else(|| "(none)".to_string(), |v| v.to_string())
                ),
            ));
        }
        let session: Session =
            serde_json::from_value(value).map_err(|e| TrainingError::malformed("session", e))?;
        if session.documents.len() > MAX_ITEMS || session.face_drills.len() > MAX_ITEMS {
            return Err(TrainingError::malformed(
                "session",
                format!("more than {MAX_ITEMS} items"),
            ));
        }
        let mut ids = BTreeSet::new();
        for item in session.items() {
            if !ids.insert(item.id().to_string()) {
                return Err(TrainingError::malformed(
                    "session",
                    format!("item {:?} appears twice", item.id()),
                ));
            }
        }
        for path in session.relative_paths() {
            if !is_safe_relative(path) {
                return Err(TrainingError::malformed(
                    "session",
                    format!("image path {path:?} leaves the fixture folder"),
                ));
            }
        }
        Ok(session)
    }

    /// Every file path the session names, relative to the fixture folder.
    fn relative_paths(&self) -> impl Iterator<Item = &str> {
        let documents = self.documents.iter().flat_map(|d| {
            d.sides
                .iter()
                .flat_map(|s| {
                    [s.white.as_str(), s.uv.as_str(), s.ir.as_str()]
                        .into_iter()
                        .chain(s.coaxial.as_deref())
                })
                .chain([d.bearer.as_str()])
                .chain(d.chip.as_deref())
        });
        let drills = self
            .face_drills
            .iter()
            .flat_map(|f| [f.portrait_image.as_str(), f.bearer_image.as_str()]);
        documents.chain(drills)
    }

    /// Writes the session as pretty JSON (through a temporary file, renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), TrainingError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| TrainingError::malformed("session", e))?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        std::fs::write(&temporary, text.as_bytes())
            .map_err(|e| TrainingError::io("write", &temporary, e))?;
        std::fs::rename(&temporary, path)
            .map_err(|e| TrainingError::io("rename into place", path, e))
    }

    /// The bytes a signer signs, after [`SIGNATURE_CONTEXT`]: the compact JSON of the
    /// session without its signature.
    pub fn signing_payload(&self) -> Vec<u8> {
        let unsigned = Session {
            signature: None,
            ..self.clone()
        };
        // Serialising plain structs, strings, numbers and string-keyed maps cannot fail.
        serde_json::to_vec(&unsigned).unwrap_or_default()
    }

    /// Attaches a signature made over [`SIGNATURE_CONTEXT`] ‖ [`Session::signing_payload`]
    /// and checks it at once (a wrong key or signature is refused).
    pub fn attach_signature(
        &mut self,
        public_key: &[u8],
        signature: &[u8],
    ) -> Result<(), TrainingError> {
        self.signature = Some(SessionSignature {
            algorithm: "ed25519".to_string(),
            public_key: hex::encode(public_key),
            value: hex::encode(signature),
        });
        if let Err(error) = self.verify_signature() {
            self.signature = None;
            return Err(error);
        }
        Ok(())
    }

    /// Checks the signature against the key the file names; returns that key (32 bytes).
    /// Says nothing about whether the key is trusted: see [`Session::verify`].
    pub fn verify_signature(&self) -> Result<Vec<u8>, TrainingError> {
        let signature = self.signature.as_ref().ok_or(TrainingError::Unsigned)?;
        if signature.algorithm != "ed25519" {
            return Err(TrainingError::malformed(
                "session signature",
                format!("algorithm {:?}", signature.algorithm),
            ));
        }
        let key = hex::decode(&signature.public_key)
            .filter(|k| k.len() == 32)
            .ok_or_else(|| {
                TrainingError::malformed("session signature", "the public key is not 64 hex digits")
            })?;
        let value = hex::decode(&signature.value)
            .filter(|v| v.len() == 64)
            .ok_or_else(|| {
                TrainingError::malformed("session signature", "the signature is not 128 hex digits")
            })?;
        let mut message = SIGNATURE_CONTEXT.to_vec();
        message.extend_from_slice(&self.signing_payload());
        UnparsedPublicKey::new(&ED25519, &key)
            .verify(&message, &value)
            .map_err(|_| TrainingError::BadSignature)?;
        Ok(key)
    }

    /// Checks the signature and that its key is one of `trusted` (32-byte Ed25519 keys;
    /// the caller includes its own station key). Returns the signer's key.
    pub fn verify(&self, trusted: &[Vec<u8>]) -> Result<Vec<u8>, TrainingError> {
        let key = self.verify_signature()?;
        if trusted.contains(&key) {
            Ok(key)
        } else {
            Err(TrainingError::UntrustedSigner {
                key: hex::encode(&key),
            })
        }
    }

    /// Every item in presentation order: the documents, then the face drills.
    pub fn items(&self) -> Vec<SessionItem<'_>> {
        self.documents
            .iter()
            .map(SessionItem::Document)
            .chain(self.face_drills.iter().map(SessionItem::FaceDrill))
            .collect()
    }

    /// The item answers call `id`.
    pub fn item(&self, id: &str) -> Option<SessionItem<'_>> {
        self.items().into_iter().find(|item| item.id() == id)
    }

    /// Checks that `fixtures_dir` holds the set this session was drawn from (same seed
    /// and generator) and every file it names, so a station that regenerated the set
    /// knows before a trainee starts.
    pub fn check_fixtures(&self, fixtures_dir: &Path) -> Result<(), TrainingError> {
        let index = tdverify_fixtures::load_index(fixtures_dir)?;
        let regenerate = format!(
            "regenerate it with `cargo xtask fixtures --seed {} --count {} --out {}`",
            self.fixtures.seed,
            self.fixtures.count,
            fixtures_dir.display()
        );
        if index.seed != self.fixtures.seed || index.generator != self.fixtures.generator {
            return Err(TrainingError::InvalidRequest(format!(
                "{} holds set seed {} of {}, the session needs seed {} of {}: {regenerate}",
                fixtures_dir.display(),
                index.seed,
                index.generator,
                self.fixtures.seed,
                self.fixtures.generator
            )));
        }
        for path in self.relative_paths() {
            if !fixtures_dir.join(path).exists() {
                return Err(TrainingError::InvalidRequest(format!(
                    "{} is missing from the fixture set: {regenerate}",
                    fixtures_dir.join(path).display()
                )));
            }
        }
        Ok(())
    }
}

fn validate_request(request: &SessionRequest) -> Result<(), TrainingError> {
    let invalid = |message: &str| Err(TrainingError::InvalidRequest(message.to_string()));
    if request.count == 0 || request.count > MAX_ITEMS {
        return invalid("the number of documents must be 1 to 10000");
    }
    if !(0.0..=1.0).contains(&request.prevalence) {
        return invalid("the fraud prevalence must be between 0 and 1 (e.g. 0.3 for 30 %)");
    }
    if request.face_drills > MAX_ITEMS {
        return invalid("the number of face drills must be at most 10000");
    }
    if !(0.0..=1.0).contains(&request.face_prevalence) {
        return invalid("the face-drill prevalence must be between 0 and 1");
    }
    if request.time_limit_seconds == Some(0) {
        return invalid("a time limit must be at least one second");
    }
    Ok(())
}

fn read_candidate(document_dir: &Path) -> Result<Candidate, TrainingError> {
    let truth = tdverify_fixtures::load_truth(document_dir)?;
    let regions = truth
        .defect_regions
        .iter()
        .map(|r| DefectRegion {
            side: r.side.clone(),
            light: r.light.clone(),
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
            check: r.check.clone(),
            what: (!r.what.is_empty()).then(|| r.what.clone()),
        })
        .collect();
    Ok(Candidate { truth, regions })
}

fn document_item(candidate: &Candidate) -> DocumentItem {
    let truth = &candidate.truth;
    let in_folder = |file: &str| format!("{}/{}", truth.id, file);
    DocumentItem {
        id: truth.id.clone(),
        scenario: serde_json::to_value(truth.scenario)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        fraud_type: truth.fraud_type,
        forgery_methods: truth.forgery_methods.clone(),
        expected_checks: truth.expected_checks.clone(),
        expected_chip_checks: truth
            .expected_chip
            .as_ref()
            .map(|c| c.checks.clone())
            .unwrap_or_default(),
        chip: truth.expected_chip.as_ref().map(|c| in_folder(&c.dataset)),
        capture: truth.capture.kind,
        drawn_from: truth.drawn_from.clone(),
        sides: truth
            .sides
            .iter()
            .map(|s| SideImages {
                name: s.name.clone(),
                has_mrz: s.has_mrz,
                white: in_folder(&s.white),
                uv: in_folder(&s.uv),
                ir: in_folder(&s.ir),
                coaxial: s.coaxial.as_deref().map(in_folder),
            })
            .collect(),
        bearer: in_folder(&truth.faces.bearer_file),
        defect_regions: candidate.regions.clone(),
    }
}

/// Face drills: "different" pairs first from documents whose printed portrait is not
/// the bearer (impostors), then by pairing one document's portrait with another
/// document's bearer of another identity; "same" pairs from documents whose portrait
/// is the bearer's face. Truth is identity equality, not `bearer_is_holder` (a
/// substituted photo shows the bearer, though the bearer is not the holder).
fn choose_face_drills(
    candidates: &[Candidate],
    request: &SessionRequest,
    rng: &mut SplitMix64,
) -> Result<Vec<FaceDrill>, TrainingError> {
    if request.face_drills == 0 {
        return Ok(Vec::new());
    }
    let different_wanted = (request.face_drills as f64 * request.face_prevalence).round() as usize;
    let different_wanted = different_wanted.min(request.face_drills);
    let same_wanted = request.face_drills - different_wanted;
    let same_pool: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.truth.faces.portrait_identity == c.truth.faces.bearer_identity)
        .collect();
    if same_pool.len() < same_wanted {
        return Err(not_enough(
            "same-person face pairs",
            same_wanted,
            same_pool.len(),
            "",
        ));
    }
    let natural: Vec<(&Candidate, &Candidate)> = candidates
        .iter()
        .filter(|c| c.truth.faces.portrait_identity != c.truth.faces.bearer_identity)
        .map(|c| (c, c))
        .collect();
    let mut different = rng.choose(&natural, different_wanted.min(natural.len()));
    if different.len() < different_wanted {
        let mut order: Vec<&Candidate> = candidates.iter().collect();
        rng.shuffle(&mut order);
        let mut seen: BTreeSet<(&str, &str)> = different
            .iter()
            .map(|(p, b)| (p.truth.id.as_str(), b.truth.id.as_str()))
            .collect();
        'outer: for step in 1..order.len() {
            for (i, portrait) in order.iter().enumerate() {
                let bearer = order[(i + step) % order.len()];
                if portrait.truth.faces.portrait_identity != bearer.truth.faces.bearer_identity
                    && seen.insert((portrait.truth.id.as_str(), bearer.truth.id.as_str()))
                {
                    different.push((portrait, bearer));
                    if different.len() == different_wanted {
                        break 'outer;
                    }
                }
            }
        }
    }
    if different.len() < different_wanted {
        return Err(not_enough(
            "different-person face pairs",
            different_wanted,
            different.len(),
            "",
        ));
    }
    let mut pairs: Vec<(&Candidate, &Candidate, bool)> =
        different.into_iter().map(|(p, b)| (p, b, false)).collect();
    pairs.extend(
        rng.choose(&same_pool, same_wanted)
            .into_iter()
            .map(|c| (c, c, true)),
    );
    rng.shuffle(&mut pairs);
    let width = pairs.len().to_string().len().max(2);
    Ok(pairs
        .into_iter()
        .enumerate()
        .map(|(i, (portrait, bearer, same_person))| FaceDrill {
            id: format!("face-{:0width$}", i + 1),
            portrait_document: portrait.truth.id.clone(),
            portrait_image: format!(
                "{}/{}",
                portrait.truth.id,
                portrait_side_white(&portrait.truth)
            ),
            bearer_document: bearer.truth.id.clone(),
            bearer_image: format!("{}/{}", bearer.truth.id, bearer.truth.faces.bearer_file),
            same_person,
        })
        .collect())
}

/// The white image of the side that shows the portrait: the first side (a passport's
/// data page, a card's front, a visa sticker).
fn portrait_side_white(truth: &Truth) -> &str {
    truth
        .sides
        .first()
        .map_or("white.png", |side| side.white.as_str())
}

fn describe_filters(request: &SessionRequest) -> String {
    let names = |values: Vec<String>| values.join(", ");
    let mut parts = Vec::new();
    if !request.fraud_types.is_empty() {
        parts.push(format!(
            "fraud types {}",
            names(
                request
                    .fraud_types
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect()
            )
        ));
    }
    if !request.forgery_methods.is_empty() {
        parts.push(format!(
            "forgery methods {}",
            names(
                request
                    .forgery_methods
                    .iter()
                    .map(|m| m.as_str().to_string())
                    .collect()
            )
        ));
    }
    if request.difficulty != Difficulty::Any {
        parts.push(format!("{} defects", request.difficulty.as_str()));
    }
    if !request.captures.is_empty() {
        parts.push(format!(
            "captures {}",
            names(
                request
                    .captures
                    .iter()
                    .map(|c| serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default())
                    .collect()
            )
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with {}", parts.join("; "))
    }
}

fn not_enough(what: &str, needed: usize, available: usize, filters: &str) -> TrainingError {
    TrainingError::NotEnough {
        what: what.to_string(),
        needed,
        available,
        hint: format!(
            "{filters}; lower the count or the prevalence, widen the filters, or generate a larger set (`cargo xtask fixtures --count N`)"
        ),
    }
}

/// A path inside the fixture folder: relative, no `..`, no root or drive.
fn is_safe_relative(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// SplitMix64: a small, well-known generator, enough for reproducible selection (the
/// seed is not a secret and the same seed must give the same session everywhere).
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed ^ 0x7464_7665_7269_6679)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// `k` distinct items of `pool` in random order (k ≤ pool length).
    fn choose<T: Clone>(&mut self, pool: &[T], k: usize) -> Vec<T> {
        let mut copy = pool.to_vec();
        for i in 0..k.min(copy.len()) {
            let j = i + self.below(copy.len() - i);
            copy.swap(i, j);
        }
        copy.truncate(k);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{document, session, sign, test_only_key};
    use ring::signature::KeyPair;

    fn signed() -> (Session, Vec<u8>) {
        let key = test_only_key(7);
        let mut s = session(
            vec![
                document(
                    "a",
                    FraudType::Forged,
                    &[ForgeryMethod::DataAlteration],
                    &[("uv", 1, 2, 3, 4)],
                ),
                document("b", FraudType::NoFraud, &[], &[]),
            ],
            vec![crate::test_support::drill("face-01", false)],
        );
        sign(&mut s, &key);
        (s, key.public_key().as_ref().to_vec())
    }

    #[test]
    fn a_signed_session_survives_a_file_round_trip() {
        let (s, key) = signed();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.json");
        s.save(&path).unwrap();
        let loaded = Session::load(&path).unwrap();
        assert_eq!(loaded, s);
        assert_eq!(loaded.verify(std::slice::from_ref(&key)).unwrap(), key);
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["documents"][0]["id"], "a");
        assert_eq!(json["documents"][0]["fraud_type"], "forged");
    }

    #[test]
    fn tampering_untrusted_and_unsigned_are_told_apart() {
        let (s, key) = signed();
        let mut tampered = s.clone();
        tampered.documents[0].fraud_type = FraudType::NoFraud;
        assert!(matches!(
            tampered.verify(std::slice::from_ref(&key)),
            Err(TrainingError::BadSignature)
        ));
        let other = test_only_key(8).public_key().as_ref().to_vec();
        assert!(matches!(
            s.verify(&[other]),
            Err(TrainingError::UntrustedSigner { .. })
        ));
        let mut unsigned = s.clone();
        unsigned.signature = None;
        assert!(matches!(
            unsigned.verify(&[key]),
            Err(TrainingError::Unsigned)
        ));
        let mut wrong = s.clone();
        if let Some(signature) = wrong.signature.as_mut() {
            signature.public_key = "zz".into();
        }
        assert!(matches!(
            wrong.verify_signature(),
            Err(TrainingError::Malformed { .. })
        ));
    }

    #[test]
    fn a_signature_without_the_context_does_not_verify() {
        let key = test_only_key(9);
        let mut s = session(
            vec![document("a", FraudType::NoFraud, &[], &[])],
            Vec::new(),
        );
        let bare = key.sign(&s.signing_payload());
        assert!(matches!(
            s.attach_signature(key.public_key().as_ref(), bare.as_ref()),
            Err(TrainingError::BadSignature)
        ));
        assert!(s.signature.is_none());
    }

    /// A generated passport set with a relaminated photo substitution (coaxial defect) and a
    /// genuine document: the session names each side's coaxial image and the coaxial
    /// defect region sits on a side the trainee can see under coaxial light.
    #[test]
    fn sessions_built_from_fixtures_carry_the_coaxial_images() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("fixtures");
        let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
        let config = tdverify_fixtures::FixtureConfig {
            count: 2,
            scenarios: Some(vec![
                tdverify_fixtures::Scenario::Genuine,
                tdverify_fixtures::Scenario::PhotoSubstitutionRelaminated,
            ]),
            captures: tdverify_fixtures::CaptureMix::Flatbed(300),
            templates: Some(vec!["UTO/passport".to_string()]),
            ..tdverify_fixtures::FixtureConfig::new(library)
        };
        tdverify_fixtures::generate(&config, &out, |_, _| {}).expect("the fixture set generates");
        let session = Session::build(&out, &SessionRequest::new(2, 0.5, 7)).unwrap();
        assert_eq!(session.documents.len(), 2);
        let mut coaxial_regions = 0;
        for document in &session.documents {
            let truth = tdverify_fixtures::load_truth(&out.join(&document.id)).unwrap();
            for (side, truth_side) in document.sides.iter().zip(&truth.sides) {
                let expected = truth_side
                    .coaxial
                    .as_ref()
                    .map(|file| format!("{}/{file}", document.id));
                assert!(expected.is_some(), "UTO/passport declares coaxial features");
                assert_eq!(side.image("coaxial"), expected.as_deref());
                let path = document.image_path(&out, &side.name, "coaxial").unwrap();
                assert!(path.is_file(), "{}", path.display());
            }
            for region in document
                .defect_regions
                .iter()
                .filter(|r| r.light == "coaxial")
            {
                assert!(
                    document.image_path(&out, &region.side, "coaxial").is_some(),
                    "{region:?}"
                );
                coaxial_regions += 1;
            }
        }
        assert!(
            coaxial_regions > 0,
            "the relaminated substitution shows under coaxial light"
        );
        session.check_fixtures(&out).unwrap();
    }

    #[test]
    fn a_coaxial_image_is_signed_checked_and_absent_from_older_sessions() {
        let (s, key) = signed();
        // Without coaxial images nothing is written, so sessions signed before still verify.
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["documents"][0]["sides"][0].get("coaxial").is_none());
        assert_eq!(s.documents[0].sides[0].image("coaxial"), None);

        let mut with = s.clone();
        with.documents[0].sides[0].coaxial = Some("a/coaxial.png".into());
        let signer = test_only_key(5);
        sign(&mut with, &signer);
        let parsed = Session::parse(&serde_json::to_vec(&with).unwrap()).unwrap();
        assert_eq!(parsed, with);
        assert!(
            parsed
                .verify(&[signer.public_key().as_ref().to_vec()])
                .is_ok()
        );
        assert_eq!(
            parsed.documents[0].image_path(Path::new("/fx"), "data_page", "coaxial"),
            Some(PathBuf::from("/fx/a/coaxial.png"))
        );
        // The coaxial image is part of what the signature covers.
        let mut swapped = with.clone();
        swapped.documents[0].sides[0].coaxial = Some("b/coaxial.png".into());
        assert!(matches!(
            swapped.verify(&[key, signer.public_key().as_ref().to_vec()]),
            Err(TrainingError::BadSignature)
        ));
        let mut escaping = with.clone();
        escaping.documents[0].sides[0].coaxial = Some("../../etc/shadow".into());
        let err = Session::parse(&serde_json::to_vec(&escaping).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("leaves the fixture folder"),
            "{err}"
        );
    }

    #[test]
    fn files_with_escaping_paths_duplicates_or_unknown_formats_are_refused() {
        let (s, _) = signed();
        let mut escaping = s.clone();
        escaping.documents[0].sides[0].white = "../../etc/passwd".into();
        let err = Session::parse(&serde_json::to_vec(&escaping).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("leaves the fixture folder"),
            "{err}"
        );
        let mut twice = s.clone();
        twice.documents[1].id = "a".into();
        assert!(Session::parse(&serde_json::to_vec(&twice).unwrap()).is_err());
        let mut future = s.clone();
        future.version = 2;
        assert!(
            Session::parse(&serde_json::to_vec(&future).unwrap())
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
        assert!(Session::parse(b"{\"format\":\"something else\"}").is_err());
        let mut newer = serde_json::to_value(&s).unwrap();
        newer["version"] = 2.into();
        newer["difficulty"] = "subtle".into();
        let err = Session::parse(newer.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 2"), "{err}");
    }

    #[test]
    fn items_come_in_order_with_paths_under_the_fixture_folder() {
        let (s, _) = signed();
        let ids: Vec<String> = s.items().iter().map(|i| i.id().to_string()).collect();
        assert_eq!(ids, ["a", "b", "face-01"]);
        let SessionItem::Document(a) = s.item("a").unwrap() else {
            panic!("a is a document")
        };
        assert_eq!(
            a.image_path(Path::new("/fx"), "data_page", "uv"),
            Some(PathBuf::from("/fx/a/uv.png"))
        );
        assert_eq!(a.image_path(Path::new("/fx"), "data_page", "coaxial"), None);
        assert!(s.item("face-01").unwrap().is_signal());
    }

    #[test]
    fn check_display_names() {
        for mode in [
            CheckDisplay::Hidden,
            CheckDisplay::AfterAnswer,
            CheckDisplay::Throughout,
        ] {
            assert_eq!(CheckDisplay::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(
            CheckDisplay::parse("after-answer"),
            Some(CheckDisplay::AfterAnswer)
        );
        assert_eq!(CheckDisplay::parse("sometimes"), None);
    }

    #[test]
    fn the_generator_is_reproducible() {
        let mut a = SplitMix64::new(5);
        let mut b = SplitMix64::new(5);
        let pool: Vec<u32> = (0..50).collect();
        assert_eq!(a.choose(&pool, 10), b.choose(&pool, 10));
        let picked = SplitMix64::new(6).choose(&pool, 50);
        assert_eq!(picked.iter().collect::<BTreeSet<_>>().len(), 50);
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = Session::parse(&bytes);
        }

        /// Any single byte changed in a signed file is refused, or still verifies only if
        /// it changed nothing signed (whitespace).
        #[test]
        fn a_changed_byte_never_passes_as_a_different_session(position in 0usize..4000, byte in proptest::num::u8::ANY) {
            let (s, key) = signed();
            let mut bytes = serde_json::to_vec_pretty(&s).unwrap();
            let position = position % bytes.len();
            bytes[position] = byte;
            if let Ok(parsed) = Session::parse(&bytes)
                && parsed.verify(std::slice::from_ref(&key)).is_ok()
            {
                proptest::prop_assert_eq!(parsed.signing_payload(), s.signing_payload());
            }
        }
    }
}
