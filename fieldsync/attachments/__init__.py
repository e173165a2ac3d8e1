"""Attachments (contract: attachments.md): photos and documents named by their sha256.

- `refs`: which record names which file, kept by the engine's change hook on every write;
- `access`: who may download a file (whoever may see a record naming it), and missing files;
- `storage`: where bytes live; `downloads`: files by sha256;
- `tus`, `content`, `uploads`, `tus_views`: the tus 1.0.0 resumable upload server (protocol
  headers, the type from the bytes, the services, the views);
- `thumbnails`: small JPEGs of images for the admin and `?thumbnail=1`.
"""
