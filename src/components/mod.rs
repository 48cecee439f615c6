//! Reusable view pieces. They take plain values and know nothing of pages or HTTP.

pub mod error_view;
pub mod failure_groups;
pub mod failure_summary;
pub mod filter_bar;
pub mod header;
pub mod json_tree;
pub mod log_detail;
pub mod log_list;
pub mod pager;
pub mod run_actions;
pub mod run_table;
pub mod saved_views;
pub mod status_badge;
pub mod status_chart;
pub mod steps_panel;
pub mod timestamp;

pub use error_view::ErrorView;
pub use failure_groups::FailureGroups;
pub use filter_bar::FilterBar;
pub use header::Header;
pub use pager::Pager;
pub use run_actions::RunActions;
pub use run_table::{RunTable, RunTableSkeleton};
pub use saved_views::SavedViews;
pub use status_badge::StatusBadge;
pub use status_chart::StatusChart;
pub use steps_panel::StepsPanel;
pub use timestamp::Timestamp;
