"""Widget builders. Each returns an ipywidgets container whose callbacks call the
package's analysis functions; results go into HTML widgets so the stored default view
renders in the static book."""
