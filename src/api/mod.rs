//! Everything about the Patchworks API: HTTP, queries, models, errors and the request
//! budget. Knows no view.

pub mod budget;
pub mod client;
pub mod credential;
pub mod decode;
pub mod duration;
pub mod error;
pub mod models;
pub mod query;
pub mod units;

pub use budget::{BudgetState, Priority};
pub use client::{ApiClient, Scheduler, Slot};
pub use credential::Credential;
pub use error::ApiError;
pub use models::{ActionOutcome, FlowRun, FlowRunLog, FlowStep, LogLevel, LoginToken, Page, PageMeta, RunStatus, Trigger};
pub use query::{LogQuery, LogSort, RunQuery, RunSort};
