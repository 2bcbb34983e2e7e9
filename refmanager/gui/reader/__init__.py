"""The PDF reader: a window per attached PDF beside the library, with thumbnails, zoom, find,
text selection and annotations kept in the library (``controller.ReaderController``)."""
