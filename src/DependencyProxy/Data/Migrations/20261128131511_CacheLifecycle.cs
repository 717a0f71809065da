using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class CacheLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CleanupEnabled",
                table: "Groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "CleanupTtlDays",
                table: "Groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 90);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "CachedManifests",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "CachedBlobs",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_Digest",
                table: "CachedManifests",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_GroupId_ReadAt",
                table: "CachedManifests",
                columns: new[] { "GroupId", "ReadAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CachedBlobs_GroupId_ReadAt",
                table: "CachedBlobs",
                columns: new[] { "GroupId", "ReadAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_Digest",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_GroupId_ReadAt",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedBlobs_GroupId_ReadAt",
                table: "CachedBlobs");

            migrationBuilder.DropColumn(
                name: "CleanupEnabled",
                table: "Groups");

            migrationBuilder.DropColumn(
                name: "CleanupTtlDays",
                table: "Groups");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "CachedManifests");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "CachedBlobs");
        }
    }
}
