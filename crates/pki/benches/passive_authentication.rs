//! Passive authentication on a TEST chip: EF.SOD parsing alone, and the whole
//! check (SOD parse, signature, chain to the CSCA, CRL, data-group hashes) with a
//! 20 KB DG2, for an RSA, a NIST and a brainpool Document Signer.
//!
//! Run: `cargo bench -p tdverify-pki --bench passive_authentication`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify_pki::testpki::{TestKeyAlgorithm, TestPki, sign_sod, test_date};
use tdverify_pki::{CscaStore, HashAlgorithm, Sod, passive_authentication};

fn data_groups() -> BTreeMap<u8, Vec<u8>> {
    let mut groups = BTreeMap::new();
    groups.insert(
        1,
        b"\x61\x5B\x5F\x1F\x58P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"
            .to_vec(),
    );
    groups.insert(2, vec![0x5A; 20_000]);
    groups.insert(14, vec![0x6E, 0x02, 9, 9]);
    groups
}

fn bench(c: &mut Criterion) {
    let groups = data_groups();
    let inspection = test_date(2026, 1, 1);
    for algorithm in [TestKeyAlgorithm::Rsa2048, TestKeyAlgorithm::EcdsaP256, TestKeyAlgorithm::EcdsaBrainpoolP256r1] {
        let pki = TestPki::generate("UTO", algorithm, b"TEST-ONLY bench seed").expect("TEST PKI generates");
        let mut store = CscaStore::new();
        store
            .import_master_list(&pki.master_list(&[]).expect("TEST master list signs"))
            .expect("TEST master list imports");
        store.import_crl_der(&pki.crl).expect("TEST CRL imports");
        let sod = sign_sod(&pki.document_signer, &groups, HashAlgorithm::Sha256, test_date(2024, 1, 1))
            .expect("TEST SOD signs");
        assert_eq!(passive_authentication(&sod, &groups, &store, inspection).status, tdverify_core::CheckStatus::Pass);
        c.bench_function(&format!("sod_parse/{algorithm:?}"), |b| {
            b.iter(|| Sod::parse(black_box(&sod)).expect("parses"))
        });
        c.bench_function(&format!("passive_authentication/{algorithm:?}"), |b| {
            b.iter(|| passive_authentication(black_box(&sod), &groups, &store, inspection))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
