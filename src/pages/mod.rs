//! One module per page. A page reads its URL, asks the API client, and renders components.

pub mod compare;
pub mod logs;
pub mod not_found;
pub mod run;
pub mod runs;
pub mod settings;
