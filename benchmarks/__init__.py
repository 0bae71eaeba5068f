"""Speed and memory of the quote search, measured side by side with its peers."""
