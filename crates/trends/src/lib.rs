//! tdverify-trends: the trends dashboard's library. An analyst (a supervisor, a regional
//! or national analyst) imports the signed DESC bundles many stations export, and sees
//! on their own desk, offline, which issuing states, routes, fraud types and people are
//! involved and when a pattern shifts.
//!
//! Flow: [`Trends::open`] (`<data-dir>/trends.sqlite`, rebuildable, separate from the
//! audited case store) → [`Trends::import_bundle`] (verified against the trusted station
//! keys; the same bundle twice adds nothing) and [`Trends::import_own`] (the station's own
//! cases, anonymised by the export) → views under a [`Filter`]: [`Trends::query`] by a
//! [`Dimension`], [`Trends::heatmap`], [`Trends::time_series`],
//! [`Trends::ranked_issuing_states`], [`Trends::alerts`]; every count below k comes out
//! as [`Count::Suppressed`] with complementary suppression (docs/TRENDS.md), and each view
//! has a CSV form. [`demo_bundles`] makes TEST-ONLY bundles with a planted spike.

#![warn(missing_docs)]

pub mod alerts;
mod columns;
mod db;
pub mod demo;
mod dimension;
mod error;
mod filter;
pub mod map;
mod rng;
mod suppress;
mod view;

pub use alerts::{Alert, AlertReport, poisson_upper_tail, rule_text};
pub use db::{BundleInfo, DATABASE_FILE, ImportOutcome, Trends, TrendsOptions, TrustedKey, parse_trusted_keys};
pub use demo::{DemoBundle, DemoBundles, DemoSpec, PlantedSpike, demo_bundles, demo_bundles_with, demo_key};
pub use dimension::{Dimension, UNKNOWN, month_index, month_label, quarter_label, route_key};
pub use error::TrendsError;
pub use filter::Filter;
pub use map::{Choropleth, ClassBound, Classing, Country, Mesh, Projection, RoutePath, Shade, WorldMap};
pub use view::{Change, Count, Grid, Ranked, Ranking, Row, SUPPRESSED, View, grid_csv, ranking_csv, view_csv};
