//! Flow Run Console: browse, filter, inspect and act on Patchworks flow runs.
//!
//! Data flows one way: URL → typed query (`url_state`) → API client (`api`) → models →
//! views (`pages`, `components`). See ARCHITECTURE.md for which module may use which.

pub mod api;
pub mod app;
pub mod browser;
pub mod causes;
pub mod chart;
pub mod compare;
pub mod components;
pub mod config;
pub mod embed;
pub mod failures;
pub mod format;
pub mod logs;
pub mod nav;
pub mod pages;
pub mod saved_views;
pub mod session;
pub mod state;
pub mod steps;
pub mod tasks;
pub mod time;
pub mod url_state;
pub mod widget;

pub use app::App;
