//! The request stages: what the server and the pipeline run on every request, whatever its row. A stage
//! serves no row of its own; it wraps them all: count the request (`counters`), draw or take an injected
//! fault (`faults`), check the token (`token_check`, against the `token_store`), charge the daily quota
//! (`quota`), and journal the answer (`journal`).
//!
//! Who names a stage: the server and the pipeline, which run them; a family whose rows use a stage's records
//! (the token routes issue into the token store, `auth.getRidInfo` reads the journal, `auth.clearQuota`
//! resets the quota); and the family list, where a stage's control actions keep their place in the action
//! list. A stage names only the kit, `wire`, `config` and other stages, never a family, so any family may use
//! a stage without a circle.

pub mod counters;
pub mod faults;
pub mod journal;
pub mod quota;
pub mod token_check;
pub mod token_store;
