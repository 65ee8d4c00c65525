//! The station's side of SLTD, shared by the CLI and the screens: an administrator
//! imports the hotlist against the publishers the store trusts, and an officer asks the
//! online service about one document. Both are audited in the case store (the query
//! under a keyed pseudonym of the document, never its number).

use std::path::Path;

use tdverify_sltd::{DocumentKey, Hotlist, HotlistStatus, HttpSltd, OnlineAnswer, OnlineError, OnlineSltd, SltdError, TrustedKeys};
use tdverify_store::{KeyPurpose, OnlineQueryOutcome, Session, Store, StoreError};

/// Why an SLTD action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StationSltdError {
    /// The store refused (permission, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bundle was refused.
    #[error(transparent)]
    Hotlist(#[from] SltdError),
    /// The online service gave no usable answer.
    #[error("no answer from the online SLTD service: {0}")]
    Online(#[from] OnlineError),
    /// No online service is configured.
    #[error("no online SLTD service is configured (an administrator sets one up with `tdverify sltd online`)")]
    NotConfigured,
}

/// The publishers' keys the store trusts, for [`Hotlist::import`].
pub fn trusted_publishers(store: &Store) -> Result<TrustedKeys, StoreError> {
    let keys: Vec<Vec<u8>> = store.trusted_keys(KeyPurpose::SltdPublisher)?.into_iter().map(|k| k.public_key).collect();
    Ok(TrustedKeys::of(&keys))
}

/// Imports a hotlist bundle as `session` (an administrator or the station), verified
/// against the trusted publishers. Success and refusal are both audited; on refusal the
/// copy in use stays.
pub fn import_hotlist(
    store: &Store,
    session: &Session,
    data_dir: &Path,
    bundle: &Path,
    allow_older: bool,
) -> Result<HotlistStatus, StationSltdError> {
    store.may_import_sltd(session)?;
    let trusted = trusted_publishers(store)?;
    let result = Hotlist::import(data_dir, bundle, &trusted, allow_older);
    record_import(store, session, bundle, &result)?;
    Ok(result?)
}

/// Audits an import's outcome (the screens import off the UI thread, then record here).
pub fn record_import(
    store: &Store,
    session: &Session,
    bundle: &Path,
    result: &Result<HotlistStatus, SltdError>,
) -> Result<(), StoreError> {
    let file_name = bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let detail = match result {
        Ok(status) => format!(
            "hotlist {file_name} imported: {} entries from {}, as of {}",
            status.entries, status.issuer, status.as_of
        ),
        Err(error) => format!("hotlist {file_name} refused: {error}"),
    };
    store.record_sltd_import(session, &detail)
}

/// Asks the configured online service about `document` as `session`, and audits the
/// query with its outcome. Blocks up to [`tdverify_sltd::ONLINE_TIMEOUT`]: run it off the
/// UI thread.
pub fn ask_online(store: &Store, session: &Session, document: &DocumentKey) -> Result<OnlineAnswer, StationSltdError> {
    let service = online_service(store, session)?;
    ask_with(store, session, &service, document)
}

/// The configured online service, when `session` may ask it (the screens query it off
/// the UI thread, then [`record_online`]).
pub fn online_service(store: &Store, session: &Session) -> Result<HttpSltd, StationSltdError> {
    store.may_query_sltd(session)?;
    let config = store.sltd_online()?.ok_or(StationSltdError::NotConfigured)?;
    Ok(HttpSltd::new(&config.endpoint, &config.ca_pem, config.token.as_deref())?)
}

/// Audits one online query and its outcome, under the document's keyed pseudonym.
pub fn record_online(
    store: &Store,
    session: &Session,
    document: &DocumentKey,
    answer: &Result<OnlineAnswer, OnlineError>,
) -> Result<(), StoreError> {
    let pseudonym = store.sltd_query_pseudonym(&document.doc_type, &document.state, &document.number);
    let (outcome, reason) = match answer {
        Ok(OnlineAnswer::PossibleHit { .. }) => (OnlineQueryOutcome::Hit, String::new()),
        Ok(OnlineAnswer::NoHit { .. }) => (OnlineQueryOutcome::NoHit, String::new()),
        Err(e) => (OnlineQueryOutcome::Failed, e.to_string()),
    };
    store.record_sltd_query(session, &pseudonym, outcome, &reason)
}

/// As [`ask_online`] with a given service (tests, stand-ins).
pub fn ask_with(
    store: &Store,
    session: &Session,
    service: &dyn OnlineSltd,
    document: &DocumentKey,
) -> Result<OnlineAnswer, StationSltdError> {
    store.may_query_sltd(session)?;
    let answer = service.query(document);
    record_online(store, session, document, &answer)?;
    Ok(answer?)
}

/// The document an inspection read (MRZ fields), as the online service is asked about it.
pub fn document_of(inspection: &tdverify_inspect::Inspection) -> Option<DocumentKey> {
    let fields = &inspection.mrz.as_ref()?.report["fields"];
    let field = |name: &str| fields[name].as_str().unwrap_or_default();
    let key = DocumentKey::new(field("document_code"), field("issuing_state"), field("document_number"));
    key.is_complete().then_some(key)
}

/// The officer's sentence for an online answer.
pub fn describe_online(answer: &OnlineAnswer) -> String {
    match answer {
        OnlineAnswer::PossibleHit { status, reported, reference, as_of } => format!(
            "Online SLTD: possible hit, reported {}{}{}{}; confirm with the national central bureau before any action.",
            status.as_str().replace('_', " "),
            reported.as_deref().map(|d| format!(" on {d}")).unwrap_or_default(),
            reference.as_deref().map(|r| format!(", reference {r}")).unwrap_or_default(),
            as_of.as_deref().map(|d| format!(" (service data as of {d})")).unwrap_or_default(),
        ),
        OnlineAnswer::NoHit { as_of } => format!(
            "Online SLTD: not reported{}.",
            as_of.as_deref().map(|d| format!(" as of {d}")).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_sltd::Status;

    struct StandIn(Result<OnlineAnswer, OnlineError>);

    impl OnlineSltd for StandIn {
        fn query(&self, _: &DocumentKey) -> Result<OnlineAnswer, OnlineError> {
            self.0.clone()
        }
    }

    const PASSPHRASE: &str = "TEST-ONLY station passphrase";
    const PASSWORD: &str = "TEST-ONLY password 1";

    fn store(dir: &Path) -> Store {
        let store = Store::initialize(dir, PASSPHRASE, tdverify_store::StoreOptions::test_only_fast()).unwrap();
        store.create_first_admin("admin", PASSWORD).unwrap();
        let admin = store.login("admin", PASSWORD).unwrap();
        for (name, role) in [("officer", tdverify_store::Role::Officer), ("auditor", tdverify_store::Role::Auditor)] {
            store.create_user(&admin, name, PASSWORD, role).unwrap();
        }
        store
    }

    #[test]
    fn every_query_is_audited_without_the_number_whatever_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let officer = store.login("officer", PASSWORD).unwrap();
        let document = DocumentKey::new("P", "UTO", "L898902C3");
        let hit = StandIn(Ok(OnlineAnswer::PossibleHit {
            status: Status::Stolen,
            reported: Some("2026-09-30".into()),
            reference: Some("TEST-ONLY-17".into()),
            as_of: None,
        }));
        let answer = ask_with(&store, &officer, &hit, &document).unwrap();
        assert!(describe_online(&answer).contains("possible hit, reported stolen on 2026-09-30, reference TEST-ONLY-17"));
        let failed = ask_with(&store, &officer, &StandIn(Err(OnlineError::Timeout)), &document);
        assert!(matches!(failed, Err(StationSltdError::Online(OnlineError::Timeout))));
        assert!(matches!(ask_online(&store, &officer, &document), Err(StationSltdError::NotConfigured)));
        let auditor = store.login("auditor", PASSWORD).unwrap();
        let entries = store.audit_entries(&auditor, 0, 1000).unwrap();
        let queries: Vec<_> = entries.iter().filter(|e| e.action == "sltd_query").collect();
        assert_eq!(queries.len(), 2);
        assert!(queries[0].detail.contains("possible hit") && queries[1].detail.contains("no answer"), "{queries:?}");
        assert!(entries.iter().all(|e| !e.detail.contains("L898902C3")));
        // An auditor may not ask.
        assert!(matches!(ask_with(&store, &auditor, &hit, &document), Err(StationSltdError::Store(_))));
    }

    #[test]
    fn only_an_administrator_imports_and_a_refusal_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let bundle = dir.path().join("list.tdvs");
        std::fs::write(&bundle, tdverify_sltd::test_bundle::make_test_bundle(100, 1, "2026-12-01", &[]).unwrap()).unwrap();
        let officer = store.login("officer", PASSWORD).unwrap();
        assert!(matches!(
            import_hotlist(&store, &officer, dir.path(), &bundle, false),
            Err(StationSltdError::Store(StoreError::PermissionDenied { .. }))
        ));
        let admin = store.login("admin", PASSWORD).unwrap();
        assert!(matches!(
            import_hotlist(&store, &admin, dir.path(), &bundle, false),
            Err(StationSltdError::Hotlist(SltdError::UntrustedSigner(_)))
        ));
        let key = tdverify_sltd::parse_key(&tdverify_sltd::test_bundle::test_only_signer_key()).unwrap();
        store.trust_key(&admin, KeyPurpose::SltdPublisher, &key, "TEST-ONLY").unwrap();
        let status = import_hotlist(&store, &admin, dir.path(), &bundle, false).unwrap();
        assert_eq!(status.entries, 100);
        let auditor = store.login("auditor", PASSWORD).unwrap();
        let imports: Vec<String> = store
            .audit_entries(&auditor, 0, 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "sltd_import")
            .map(|e| e.detail)
            .collect();
        assert_eq!(imports.len(), 2, "{imports:?}");
        assert!(imports[0].contains("refused") && imports[1].contains("100 entries"), "{imports:?}");
    }
}
