"""What the pages share: cached models and traces, URL-backed settings, presets, figure builders."""
