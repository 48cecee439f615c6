//! A simulator of the Patchworks Core API's Flow Run Logs endpoints: same paths, query
//! conventions, JSON shapes, auth and errors, over deterministic generated data. It shares
//! no code with the app on purpose, so that it can catch the app's mistakes.

pub mod causes;
pub mod data;
pub mod details;
pub mod faults;
pub mod fields;
pub mod lazy;
pub mod logs;
pub mod paginate;
pub mod query;
pub mod ratelimit;
pub mod render;
pub mod server;
pub mod shapes;

pub use server::{router, Options, Sim};
