//! Keyset pagination shared by every list: ids are UUIDv7, so id order is creation order.

use uuid::Uuid;

/// Which slice of a list to return.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// At most this many items (the API caps it at 200).
    pub limit: u32,
    /// Return items created after this id (the previous page's cursor).
    pub after: Option<Uuid>,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page, if there may be one.
    pub next: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves there is more.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&id_of)
        } else {
            None
        };
        Page { items: rows, next }
    }
}
