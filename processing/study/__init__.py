"""insarfusion:study: the whole study on the user's own data, as child algorithms."""
