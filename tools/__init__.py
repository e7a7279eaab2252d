"""Development tools that are neither the product nor its tests (the import-linter contract below)."""
