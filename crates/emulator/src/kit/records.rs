//! Records kept by type: the state holds each family's records without naming the family, so the state
//! never imports a family and a family's records stay in its own file.

use std::any::{Any, TypeId};
use std::collections::HashMap;

#[derive(Default)]
pub struct Records(HashMap<TypeId, Box<dyn Any + Send>>);

impl Records {
    /// The records of type `T`, created empty on first use.
    pub fn get<T: Any + Send + Default>(&mut self) -> &mut T {
        self.0
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut()
            .expect("records are keyed by their own type")
    }

    /// The records of type `T` if any exist yet (read-only callers need not create them).
    pub fn peek<T: Any + Send>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>()).and_then(|r| r.downcast_ref())
    }

    /// The records of type `T` if any exist yet, to change (a clock tick touches only accounts that have some).
    pub fn peek_mut<T: Any + Send>(&mut self) -> Option<&mut T> {
        self.0.get_mut(&TypeId::of::<T>()).and_then(|r| r.downcast_mut())
    }

    /// Replaces the records of type `T` (e.g. to reset them).
    pub fn set<T: Any + Send>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }
}

#[cfg(test)]
mod tests {
    use super::Records;

    #[derive(Default, Debug, PartialEq)]
    struct Count(u32);

    #[test]
    fn records_are_found_by_type_and_created_empty() {
        let mut r = Records::default();
        assert!(r.peek::<Count>().is_none());
        r.get::<Count>().0 += 2;
        assert_eq!(r.peek::<Count>(), Some(&Count(2)));
        r.set(Count(0));
        assert_eq!(r.get::<Count>().0, 0);
    }
}
