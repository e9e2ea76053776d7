//! PDFs of the contact directory (typst as a library).
