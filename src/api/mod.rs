//! Everything about the Patchworks API: HTTP, queries, models and errors. Knows no view.

pub mod client;
pub mod decode;
pub mod error;
pub mod models;
pub mod query;

pub use client::{ApiClient, Credential};
pub use error::ApiError;
pub use models::{FlowRun, Page, PageMeta, RunStatus, Trigger};
pub use query::{RunQuery, RunSort};
