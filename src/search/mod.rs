//! Search: Japanese analyzer, tantivy index, static shard export.
